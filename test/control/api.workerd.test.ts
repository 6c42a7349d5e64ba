// The admin API end to end inside workerd: the real Worker, the real SQLite Durable Object, the
// webhook pushed to a gate that reads the served document through the real flagsmithSource.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env as bindings } from 'cloudflare:workers';
import type { Identity } from 'flagstage';
import { signWebhookBody } from 'flagstage/webhook';
import { describe, expect, it, vi } from 'vitest';
import { api, env, worker } from './support';
import { SERVER_KEYS, testControls, TOKENS, WEBHOOK_SECRET } from './worker';

const population: Identity[] = Array.from({ length: 400 }, (_, i) => ({ userId: `user-${i}`, orgId: `org-${i % 40}`, isAdmin: i < 4 }));

async function decisionsViaApi(identities: readonly Identity[]): Promise<boolean[]> {
  const answer = await api('POST', env('production', '/flags/gastown/explain'), { token: TOKENS.viewer, body: { identities } });
  expect(answer.status).toBe(200);
  return answer.body.decisions.map((decision: { allowed: boolean }) => decision.allowed);
}

async function decisionsViaGate(identities: readonly Identity[]): Promise<{ allowed: boolean; revision: string | null }[]> {
  const response = await worker.fetch(new Request('https://gate.test/gate/decide', { method: 'POST', body: JSON.stringify({ flag: 'gastown', identities }) }));
  return (await response.json()) as { allowed: boolean; revision: string | null }[];
}

/** Waits until the gate has received the webhook for `revision` and refreshed to it. */
async function gateAt(revision: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const status = await api('GET', env('production', '/status'), { token: TOKENS.viewer });
      const hook = status.body.webhooks.find((delivery: { url: string }) => delivery.url === 'https://gate.test/gate/webhook');
      expect(hook).toMatchObject({ revision, state: 'delivered' });
    },
    { timeout: 10_000, interval: 20 },
  );
}

async function change(path: string, body: Record<string, unknown>, token: string = TOKENS.operator) {
  const answer = await api('POST', env('production', `/flags/gastown/${path}`), { token, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

describe('the whole rollout through the API, with a gate reading the served document', () => {
  it('admin-only -> allowlist -> 30% -> 60% -> kill -> revive -> GA: the gate and explain agree at every step', async () => {
    // The gate's first read happens before any change: it must then follow only through webhooks (ttl 60 s).
    const initial = await decisionsViaGate(population);
    expect(initial.filter((d) => d.allowed)).toHaveLength(4);

    const steps: { name: string; run: () => Promise<{ revision: number }>; check: (allowed: boolean[]) => void }[] = [];
    let thirty: boolean[] = [];
    let sixty: boolean[] = [];
    const admins = population.map((identity) => identity.isAdmin);
    const allowlisted = (identity: Identity) => identity.isAdmin || identity.userId === 'user-10' || identity.orgId === 'org-7';

    steps.push({ name: 'allow', run: () => change('allow', { users: ['user-10'], orgs: ['org-7'], reason: 'design partners' }), check: (allowed) => expect(allowed).toEqual(admins) });
    steps.push({ name: 'allowlist', run: () => change('stage', { stage: 'allowlist', reason: 'beta' }), check: (allowed) => expect(allowed).toEqual(population.map(allowlisted)) });
    steps.push({ name: 'percent 30', run: () => change('percent', { value: 30, reason: 'ramp' }), check: (allowed) => expect(allowed).toEqual(population.map(allowlisted)) });
    steps.push({
      name: 'percentage',
      run: () => change('stage', { stage: 'percentage', reason: 'ramp' }),
      check: (allowed) => {
        thirty = allowed;
        const share = allowed.filter(Boolean).length / allowed.length;
        expect(share).toBeGreaterThan(0.2);
        expect(share).toBeLessThan(0.42);
        population.forEach((identity, i) => allowlisted(identity) && expect(allowed[i]).toBe(true));
      },
    });
    steps.push({
      name: 'percent 60',
      run: () => change('percent', { value: 60, reason: 'error rate flat' }),
      check: (allowed) => {
        sixty = allowed;
        const share = allowed.filter(Boolean).length / allowed.length;
        expect(share).toBeGreaterThan(0.5);
        expect(share).toBeLessThan(0.72);
        thirty.forEach((was, i) => was && expect(allowed[i], `ramping up dropped ${population[i]?.userId}`).toBe(true));
      },
    });
    steps.push({ name: 'kill', run: () => change('kill', { reason: 'incident' }), check: (allowed) => expect(allowed).toEqual(admins) });
    steps.push({ name: 'revive', run: () => change('revive', { reason: 'fixed' }), check: (allowed) => expect(allowed).toEqual(sixty) });
    steps.push({ name: 'ga', run: () => change('stage', { stage: 'ga', reason: 'done' }), check: (allowed) => expect(allowed.every(Boolean)).toBe(true) });

    for (const step of steps) {
      const { revision } = await step.run();
      await gateAt(revision);
      const viaApi = await decisionsViaApi(population);
      const viaGate = await decisionsViaGate(population);
      expect(viaGate.map((d) => d.allowed), `gate and explain disagree after ${step.name}`).toEqual(viaApi);
      step.check(viaApi);
    }

    const audit = await api('GET', env('production', '/audit?flag=gastown'), { token: TOKENS.viewer });
    expect(audit.body.entries.map((entry: { command: string }) => entry.command)).toEqual(['allow', 'stage', 'percent', 'stage', 'percent', 'kill', 'revive', 'stage']);
    expect(audit.body.entries.every((entry: { actor: string }) => entry.actor === 'token:operator')).toBe(true);
  });
});

describe('concurrency', () => {
  it('50 concurrent changes lose nothing: the document and the audit log hold all 50', async () => {
    const before = await api('GET', env('staging', '/audit?flag=convoys&limit=1000'));
    const ids = Array.from({ length: 50 }, (_, i) => `concurrent-${i}`);
    const answers = await Promise.all(ids.map((id) => api('POST', env('staging', '/flags/convoys/allow'), { token: TOKENS.operator, body: { users: [id], reason: `add ${id}` } })));
    expect(answers.map((answer) => answer.status)).toEqual(ids.map(() => 200));
    expect(new Set(answers.map((answer) => answer.body.revision)).size).toBe(50);

    const status = await api('GET', env('staging', '/status'));
    const convoys = status.body.flags.find((flag: { flag: string }) => flag.flag === 'convoys');
    expect([...convoys.allowlist.users].sort()).toEqual([...ids].sort());
    const audit = await api('GET', env('staging', '/audit?flag=convoys&limit=1000'));
    expect(audit.body.entries.length - before.body.entries.length).toBe(50);
    expect(new Set(audit.body.entries.map((entry: { reason: string }) => entry.reason))).toEqual(new Set(ids.map((id) => `add ${id}`)));
  });

  it('If-Match on another revision answers 412 with the current revision and changes nothing', async () => {
    const status = await api('GET', env('staging', '/status'));
    const current: number = status.body.revision;
    const stale = await api('POST', env('staging', '/flags/gastown/stage'), { token: TOKENS.operator, headers: { 'if-match': `"${current - 1}"` }, body: { stage: 'allowlist', reason: 'stale view' } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: 'conflict', revision: current });
    const after = await api('GET', env('staging', '/status'));
    expect(after.body.revision).toBe(current);

    const fresh = await api('POST', env('staging', '/flags/gastown/stage'), { token: TOKENS.operator, headers: { 'if-match': `"${current}"` }, body: { stage: 'allowlist', reason: 'fresh view' } });
    expect(fresh.status).toBe(200);
    expect(fresh.body.revision).toBe(current + 1);
  });
});

describe('history and rollback', () => {
  it('rollback makes a new revision equal to an old one, audited; history lists every revision', async () => {
    const start = (await api('GET', env('staging', '/status'))).body.revision as number;
    await api('POST', env('staging', '/flags/molecules/allow'), { token: TOKENS.operator, body: { users: ['r1'], reason: 'one' } });
    const target = (await api('POST', env('staging', '/flags/molecules/allow'), { token: TOKENS.operator, body: { orgs: ['o1'], reason: 'two' } })).body.revision as number;
    await api('POST', env('staging', '/flags/molecules/percent'), { token: TOKENS.operator, body: { value: 25, by: 'org', reason: 'three' } });
    await api('POST', env('staging', '/flags/molecules/disallow'), { token: TOKENS.operator, body: { users: ['r1'], reason: 'four' } });

    const forbidden = await api('POST', env('staging', '/rollback'), { token: TOKENS.operator, body: { revision: target, reason: 'operators cannot' } });
    expect(forbidden.status).toBe(403);

    const rolled = await api('POST', env('staging', '/rollback'), { token: TOKENS.owner, body: { revision: target, reason: 'back to two' } });
    expect(rolled.status).toBe(200);
    expect(rolled.body).toMatchObject({ changed: true, restoredFrom: target });
    expect(rolled.body.audit.map((entry: { flag: string; command: string; actor: string }) => [entry.flag, entry.command, entry.actor])).toEqual([['molecules', 'rollback', 'token:owner']]);

    const old = await api('GET', env('staging', `/revisions/${target}`));
    const now = await api('GET', env('staging', '/document'));
    const { updated_at: oldAt, ...oldRest } = old.body.document;
    const { updated_at: newAt, ...newRest } = now.body.document;
    expect(newRest).toEqual(oldRest);
    expect(Date.parse(newAt)).toBeGreaterThan(Date.parse(oldAt));
    expect(now.body.revision).toBe(rolled.body.revision);

    const history = await api('GET', env('staging', `/history?cursor=${start}`));
    expect(history.body.revisions.map((revision: { revision: number }) => revision.revision)).toEqual([start + 1, start + 2, start + 3, start + 4, start + 5]);
    expect(history.body.revisions.map((revision: { reason: string }) => revision.reason)).toEqual(['one', 'two', 'three', 'four', 'back to two']);
    expect(history.body.revisions.at(-1)).toMatchObject({ command: 'rollback', restoredFrom: target, actor: 'token:owner', flags: ['molecules'] });

    const byFlag = await api('GET', env('staging', '/history?flag=molecules&limit=2'));
    expect(byFlag.body.revisions).toHaveLength(2);
    expect(byFlag.body.next).not.toBeNull();
    const nextPage = await api('GET', env('staging', `/history?flag=molecules&limit=2&cursor=${byFlag.body.next}`));
    expect(nextPage.body.revisions[0].revision).toBeGreaterThan(byFlag.body.revisions[1].revision);

    const again = await api('POST', env('staging', '/rollback'), { token: TOKENS.owner, body: { revision: target, reason: 'twice' } });
    expect(again.body).toMatchObject({ changed: false, revision: rolled.body.revision });
  });

  it('audit pages with a cursor and filters by flag', async () => {
    const all: { id: number; flag: string }[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { entries: { id: number; flag: string }[]; next: string | null } } = await api('GET', env('staging', `/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`));
      all.push(...page.body.entries);
      cursor = page.body.next;
    }
    const ids = all.map((entry) => entry.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const single = await api('GET', env('staging', '/audit?flag=molecules&limit=1000'));
    expect(single.body.entries.length).toBe(all.filter((entry) => entry.flag === 'molecules').length);
  });
});

describe('the document endpoint (Flagsmith-compatible)', () => {
  it('needs the environment key, serves the document with ETag = revision, and answers 304 to If-None-Match', async () => {
    const none = await worker.fetch(new Request('https://control.test/api/v1/environment-document/'));
    expect(none.status).toBe(401);
    const wrong = await worker.fetch(new Request('https://control.test/api/v1/environment-document/', { headers: { 'x-environment-key': 'ser.not-a-key-of-ours' } }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'unauthenticated', field: 'X-Environment-Key' });

    const status = await api('GET', env('staging', '/status'));
    const response = await worker.fetch(new Request('https://control.test/api/v1/environment-document/', { headers: { 'x-environment-key': SERVER_KEYS.staging } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${status.body.revision}"`);
    const doc = (await response.json()) as { api_key: string; feature_states: unknown[]; updated_at: string; name: string };
    expect(doc.name).toBe('staging');
    expect(doc.updated_at).toBe(status.body.updatedAt);

    const production = await worker.fetch(new Request('https://control.test/api/v1/environment-document/', { headers: { 'x-environment-key': SERVER_KEYS.production } }));
    expect(((await production.json()) as { api_key: string }).api_key).not.toBe(doc.api_key);

    const notModified = await worker.fetch(new Request('https://control.test/api/v1/environment-document/', { headers: { 'x-environment-key': SERVER_KEYS.staging, 'if-none-match': `"${status.body.revision}"` } }));
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    const modified = await worker.fetch(new Request('https://control.test/api/v1/environment-document/', { headers: { 'x-environment-key': SERVER_KEYS.staging, 'if-none-match': `"${status.body.revision - 1}"` } }));
    expect(modified.status).toBe(200);
  });
});

describe('webhooks', () => {
  it('signs each push like Flagsmith, retries failures from the alarm with back-off, and shows them in status', async () => {
    testControls.stagingHookStatus = 503;
    testControls.stagingHookCalls.length = 0;
    const changed = await api('POST', env('staging', '/flags/multiRig/allow'), { token: TOKENS.operator, body: { users: ['hook-user'], reason: 'hook test' } });
    const revision = changed.body.revision as number;
    // This change's pushes only: an earlier test's push may still arrive after the list was cleared
    // (its waitUntil outlives the test on a loaded machine).
    const calls = () => testControls.stagingHookCalls.filter((call) => (JSON.parse(call.body) as { data?: { new_state?: { revision?: number } } }).data?.new_state?.revision === revision);
    await vi.waitFor(() => expect(calls().length).toBeGreaterThanOrEqual(1), { timeout: 5_000, interval: 10 });
    const call = calls()[0];
    expect(call?.signature).toBe(await signWebhookBody(WEBHOOK_SECRET, call?.body ?? ''));
    expect(JSON.parse(call?.body ?? '{}')).toMatchObject({ event_type: 'FLAG_UPDATED', data: { environment: 'staging', new_state: { revision }, changed_by: 'token:operator' } });

    await vi.waitFor(async () => {
      const status = await api('GET', env('staging', '/status'));
      expect(status.body.webhooks[0]).toMatchObject({ url: 'https://hooks.test/staging', revision, state: 'pending', attempts: 1, lastError: 'HTTP 503' });
      expect(status.body.webhooks[0].nextAttemptAt).not.toBeNull();
    });

    const stub = (bindings as unknown as { FLAGSTAGE_CONTROL: DurableObjectNamespace }).FLAGSTAGE_CONTROL;
    const id = stub.idFromName('staging');
    expect(await runDurableObjectAlarm(stub.get(id))).toBe(true);
    const retried = await api('GET', env('staging', '/status'));
    expect(retried.body.webhooks[0]).toMatchObject({ state: 'pending', attempts: 2 });

    testControls.stagingHookStatus = 200;
    expect(await runDurableObjectAlarm(stub.get(id))).toBe(true);
    const delivered = await api('GET', env('staging', '/status'));
    expect(delivered.body.webhooks[0]).toMatchObject({ revision, state: 'delivered', attempts: 3, lastError: null, nextAttemptAt: null });
    expect(calls()).toHaveLength(3);
  });
});
