// The simulated incident, end to end in workerd: a guarded plan ramps gastown to 25%; a Hono gate
// Worker serves the rolled-out cohort and reports its routes' outcomes through flagstage/outcomes
// (ingest key) to the control plane. At 1% errors the guard never trips; at 5% it trips exactly when
// the minimum samples arrive: kill-switch on (audited as guard:<plan>), plan paused with the trip,
// a signed notification, and the gate, refreshed by the webhook, cuts new access on its next
// request while admins and a grant issued before the kill keep going. Time is the control plane's
// clock, driven by the test; alarms run through runDurableObjectAlarm; nothing sleeps.
// The test's requests call the Worker's fetch handler with a real ExecutionContext and wait for its
// waitUntil work (support.ts `worker`: the pool's loopback entry point slows down with every call);
// the control plane's webhooks reach the gate through the Worker's entry point, as requests of their own.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env as bindings } from 'cloudflare:workers';
import { signWebhookBody } from 'flagstage/webhook';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { api, entry, env, worker } from './support';
import { OPS_SECRET, testControls, TOKENS } from './worker';

const MINUTE = 60_000;
const path = (suffix: string) => env('production', suffix);
const namespace = (bindings as unknown as { FLAGSTAGE_CONTROL: DurableObjectNamespace }).FLAGSTAGE_CONTROL;

const gate = (route: string, user: string | null, init: RequestInit = {}) =>
  worker.fetch(new Request(`https://gate.test${route}`, { ...init, headers: { ...(user ? { cookie: `session=${user}` } : {}), ...((init.headers as Record<string, string>) ?? {}) } }));

async function status() {
  const answer = await api('GET', path('/status'), { token: TOKENS.viewer });
  expect(answer.status).toBe(200);
  return answer.body as { revision: number; flags: { flag: string; killed: boolean; stage: string; percentage: { value: number } | null }[]; outcomes: { counted: number }; webhooks: { url: string; revision: number; state: string }[] };
}
const gastown = async () => (await status()).flags.find((flag) => flag.flag === 'gastown');

async function auditOf(flag: string) {
  const answer = await api('GET', path(`/audit?flag=${flag}&limit=1000`), { token: TOKENS.viewer });
  return answer.body.entries as { actor: string; command: string; reason: string; revision: number; after: { killed: boolean } }[];
}

async function planOf(flag: string) {
  const answer = await api('GET', path(`/flags/${flag}/plan`), { token: TOKENS.viewer });
  expect(answer.status).toBe(200);
  return answer.body.plan as { id: number; status: string; guardState: { trippedAt: string; rate: number; samples: number } | null; paused: { by: string; reason: string } | null };
}

/** Until the gate has taken the control plane's webhook for `revision` (the delivery is pushed from the Durable Object). */
async function gateAt(revision: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const hook = (await status()).webhooks.find((delivery) => delivery.url === 'https://gate.test/gate/webhook');
      expect(hook).toMatchObject({ revision, state: 'delivered' });
    },
    { timeout: 10_000, interval: 20 },
  );
}

/** `n` requests to the towns route, from the cohort in turn; every `errorEvery`-th fails with a 500. */
async function traffic(cohort: readonly string[], n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let start = 0; start < n; start += 25) {
    const wave = Array.from({ length: Math.min(25, n - start) }, (_, i) => gate('/gastown/towns', cohort[(start + i) % cohort.length] ?? null).then((response) => response.status));
    statuses.push(...(await Promise.all(wave)));
  }
  return statuses;
}

/** How many rollout outcomes the control plane should have counted by now. */
let expected = 0;

/** The gate's reporter sends what it still holds, then the control plane has counted every outcome so far. */
async function flush(): Promise<void> {
  const answer = await gate('/gate/flush', null, { method: 'POST' });
  expect(answer.status).toBe(200);
  expect(await answer.json()).toEqual({ pending: 0 });
  await vi.waitFor(async () => expect((await status()).outcomes.counted).toBe(expected), { timeout: 10_000, interval: 20 });
  expect(testControls.reporterErrors).toEqual([]);
}

const population = Array.from({ length: 400 }, (_, i) => `user-${i}`);
let cohort: string[] = [];
let planId = 0;
let grant = '';

beforeAll(async () => {
  // A guarded plan: 25% now, 50% in 6 hours; trip above 2% with 200 samples in 10 minutes.
  const created = await api('POST', path('/flags/gastown/plan'), {
    token: TOKENS.operator,
    body: { steps: [25, 50], every: '6h', guard: { errorRate: 0.02, minSamples: 200, window: '10m' }, reason: 'Gastown launch, guarded' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  planId = created.body.plan.id;
  expect(await runDurableObjectAlarm(namespace.get(namespace.idFromName('production')))).toBe(true);
  expect(await gastown()).toMatchObject({ stage: 'percentage', percentage: { value: 25 }, killed: false });
  await gateAt((await status()).revision);

  // The cohort: who the gate lets in by the percentage (the gate decides, from the served document).
  const answers: { user: string; response: Response }[] = [];
  for (let start = 0; start < population.length; start += 25) {
    answers.push(...(await Promise.all(population.slice(start, start + 25).map(async (user) => ({ user, response: await gate('/gastown/towns', user) })))));
  }
  for (const { user, response } of answers) {
    if (response.status === 200) {
      expect(await response.json()).toMatchObject({ reason: 'percentage' });
      cohort.push(user);
    } else expect(response.status).toBe(403);
  }
  expect(cohort.length).toBeGreaterThan(60);
  expect(cohort.length).toBeLessThan(140);
  expected = cohort.length;
  cohort = cohort.slice(0, 50);
  // One of them starts work: the app issues a grant for its later callbacks.
  const started = await gate('/gastown/sessions', cohort[0] ?? null, { method: 'POST' });
  expect(started.status).toBe(200);
  grant = ((await started.json()) as { grant: string }).grant;
  expected += 1;
  await flush();
});

describe('the guard', () => {
  it('at 1% errors never trips, however many samples', async () => {
    testControls.errorEvery = 100;
    testControls.requests = 0;
    const before = (await status()).outcomes.counted;
    for (let round = 0; round < 3; round += 1) {
      const statuses = await traffic(cohort, 300);
      expect(statuses.filter((s) => s === 500)).toHaveLength(3);
      expected += 300;
      await flush();
      expect(await gastown()).toMatchObject({ killed: false });
    }
    // Admins' failures do not count (nothing is even sent for them).
    testControls.errorEvery = 1;
    expect((await traffic(['admin-1'], 20)).every((s) => s === 500)).toBe(true);
    await flush();
    expect((await status()).outcomes.counted - before).toBe(900);
    expect(await gastown()).toMatchObject({ killed: false });
    expect(await planOf('gastown')).toMatchObject({ status: 'running', guardState: null });
    expect((await auditOf('gastown')).filter((entry) => entry.actor.startsWith('guard:'))).toEqual([]);
  });

  it('at 5% errors trips once the 200th sample arrives, not before: kill, paused plan, trip recorded, signed notification', async () => {
    // The 1% traffic leaves the 10-minute window.
    testControls.now += 11 * MINUTE;
    testControls.errorEvery = 20;
    testControls.requests = 0;
    const revision = (await status()).revision;
    const statuses = await traffic(cohort, 199);
    expect(statuses.filter((s) => s === 500)).toHaveLength(9);
    expected += 199;
    await flush();
    // 9 errors in 199 samples (4.5%): above 2%, but under-sampled.
    expect(await gastown()).toMatchObject({ killed: false });
    expect((await status()).revision).toBe(revision);

    expect(await traffic(cohort, 1)).toEqual([500]);
    expected += 1;
    await flush();
    // 10 errors in 200 samples: 5.0% > 2% with the minimum reached.
    expect(await gastown()).toMatchObject({ killed: true, stage: 'percentage', percentage: { value: 25 } });
    const kills = (await auditOf('gastown')).filter((entry) => entry.command === 'kill');
    expect(kills).toHaveLength(1);
    expect(kills[0]?.actor).toBe(`guard:${planId}`);
    expect(kills[0]?.reason).toContain('error rate 5.0% (10 errors in 200 samples over the last 10m) is above 2.0%');
    expect(kills[0]?.revision).toBe(revision + 1);
    const plan = await planOf('gastown');
    expect(plan.status).toBe('paused');
    expect(plan.guardState).toEqual({ trippedAt: new Date(testControls.now).toISOString(), rate: 0.05, samples: 200 });
    expect(plan.paused?.by).toBe(`guard:${planId}`);

    await vi.waitFor(() => expect(testControls.opsCalls.some((call) => call.body.includes('FLAGSTAGE_GUARD_TRIPPED'))).toBe(true), { timeout: 10_000, interval: 20 });
    const notification = testControls.opsCalls.find((call) => call.body.includes('FLAGSTAGE_GUARD_TRIPPED'));
    expect(notification?.signature).toBe(await signWebhookBody(OPS_SECRET, notification?.body ?? ''));
    expect(JSON.parse(notification?.body ?? '{}')).toMatchObject({
      event_type: 'FLAGSTAGE_GUARD_TRIPPED',
      data: { environment: 'production', flag: 'gastown', plan: planId, changed_by: `guard:${planId}`, revision: revision + 1, error_rate: 0.05, errors: 10, samples: 200, threshold: 0.02, min_samples: 200, window_ms: 600_000 },
    });
    // The gate, a configured webhook too, took it: its webhook handler answers 401 to a bad signature.
    await vi.waitFor(() => expect(testControls.gateWebhooks.find((hook) => hook.event === 'FLAGSTAGE_GUARD_TRIPPED')?.status).toBe(200), { timeout: 10_000, interval: 20 });
  });

  it('the gate enforces the kill on its next request after the webhook; admins keep access; the grant issued before still serves its continuing route', async () => {
    const revision = (await status()).revision;
    await gateAt(revision);
    expect(testControls.gateWebhooks.filter((hook) => hook.event === 'FLAG_UPDATED').at(-1)?.status).toBe(200);
    testControls.errorEvery = 0;
    for (const user of cohort.slice(0, 10)) expect((await gate('/gastown/towns', user)).status).toBe(403);
    // The same through the Worker's entry point, each a request in its own I/O context.
    const viaEntry = (route: string, user: string) => entry.fetch(new Request(`https://gate.test${route}`, { headers: { cookie: `session=${user}` } }));
    expect((await viaEntry('/gastown/towns', cohort[2] ?? '')).status).toBe(403);
    expect(await (await viaEntry('/gastown/towns', 'admin-2')).json()).toMatchObject({ reason: 'admin' });
    expect((await gate('/gastown/sessions', cohort[1] ?? null, { method: 'POST' })).status).toBe(403);
    expect(await (await gate('/gastown/towns', 'admin-1')).json()).toMatchObject({ reason: 'admin' });
    const callback = await gate('/gastown/agents/callback', cohort[0] ?? null, { method: 'POST', headers: { 'x-flagstage-grant': grant } });
    expect(callback.status).toBe(200);
    expect(await callback.json()).toEqual({ via: 'grant' });
    // Without the grant, the same route decides live: killed.
    expect((await gate('/gastown/agents/callback', cohort[0] ?? null, { method: 'POST' })).status).toBe(403);
  });

  it('does not trip again while killed, and never revives', async () => {
    const revision = (await status()).revision;
    // Errors keep coming (e.g. from gates not yet refreshed): the killed flag's guard does not look.
    const more = await api('POST', path('/outcomes'), { token: (await import('./worker')).INGEST_KEY, body: { sampleRate: 1, outcomes: [{ flag: 'gastown', reason: 'percentage', outcome: 'error', count: 500 }] } });
    expect(more.status).toBe(202);
    expected += 500;
    testControls.now += 30 * MINUTE;
    await flush();
    expect((await status()).revision).toBe(revision);
    expect((await auditOf('gastown')).filter((entry) => entry.actor === `guard:${planId}` && entry.command === 'kill')).toHaveLength(1);
    expect(await gastown()).toMatchObject({ killed: true });
  });
});
