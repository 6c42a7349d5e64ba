// Rollout plans end to end inside workerd: the real Worker, the real SQLite Durable Object and its
// one alarm, driven by the test (runDurableObjectAlarm) with the control plane's clock injected
// (testControls.clock) far in the future, so no alarm ever fires on its own and nothing sleeps.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env as bindings } from 'cloudflare:workers';
import { createFlagstage, staticSource, type Identity } from 'flagstage';
import type { EnvironmentDocument } from 'flagstage/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '../../flags.gen';
import { api, env, worker } from './support';
import { SERVER_KEYS, testControls, TOKENS } from './worker';

const HOUR = 3_600_000;
const T0 = Date.UTC(2031, 0, 6, 9, 0, 0);
const at = (ms: number) => new Date(ms).toISOString();
const path = (suffix: string) => env('plans', suffix);

const namespace = (bindings as unknown as { FLAGSTAGE_CONTROL: DurableObjectNamespace }).FLAGSTAGE_CONTROL;
const stub = () => namespace.get(namespace.idFromName('plans'));

/** 2,000 identities, none of them admins (an admin is always in). */
const population: Identity[] = Array.from({ length: 2_000 }, (_, i) => ({ userId: `ramp-user-${i}`, orgId: `ramp-org-${i % 97}`, isAdmin: false }));

/** Decisions for the population from the document the control plane serves, through the runtime. */
async function decisions(flag: 'gastown' | 'prMerge' | 'molecules' | 'multiRig'): Promise<boolean[]> {
  const response = await worker.fetch(new Request('https://control.test/api/v1/environment-document/', { headers: { 'x-environment-key': SERVER_KEYS.plans } }));
  expect(response.status).toBe(200);
  const document = (await response.json()) as EnvironmentDocument;
  const flags = createFlagstage({ manifest, source: staticSource(document), logChanges: false });
  const allowed: boolean[] = [];
  for (const identity of population) allowed.push((await flags.decide(flag, identity)).allowed);
  return allowed;
}

async function auditOf(flag: string) {
  const answer = await api('GET', path(`/audit?flag=${flag}&limit=1000`), { token: TOKENS.viewer });
  expect(answer.status).toBe(200);
  return answer.body.entries as { id: number; actor: string; command: string; args: string[]; reason: string; revision: number; before: { stage: string; percentage: { value: number } | null; killed: boolean }; after: { stage: string; percentage: { value: number } | null; killed: boolean } }[];
}

async function planOf(flag: string) {
  const answer = await api('GET', path(`/flags/${flag}/plan`), { token: TOKENS.viewer });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.plan;
}

async function revisionOf(): Promise<number> {
  return (await api('GET', path('/status'), { token: TOKENS.viewer })).body.revision;
}

/** Runs the Durable Object's alarm at the clock's time; it must have been armed. */
async function alarm(): Promise<void> {
  expect(await runDurableObjectAlarm(stub())).toBe(true);
}

async function post(suffix: string, body: unknown, token: string = TOKENS.operator) {
  return api('POST', path(suffix), { token, body });
}

beforeAll(async () => {
  testControls.clock = T0;
  // The plans ramp gastown's sub-flags: the parent is at GA, so the population's decisions follow the sub-flag.
  const raised = await post('/flags/gastown/stage', { stage: 'ga', reason: 'sub-flag plans need gastown open' });
  expect(raised.status).toBe(200);
});

afterAll(() => {
  testControls.clock = null;
});

describe('a plan 1 -> 5 -> 25 -> 50 -> 100 -> GA', () => {
  it('advances once per alarm: the population matches each percentage, nobody in is removed, one audit entry per step, a duplicated alarm applies nothing', async () => {
    const start = testControls.clock as number;
    const created = await post('/flags/prMerge/plan', { steps: [1, 5, 25, 50, 100], every: '6h', then: 'ga', reason: 'launch the pr merge strategy' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const planId: number = created.body.plan.id;
    expect(created.body.plan).toMatchObject({ flag: 'prMerge', status: 'scheduled', every: '6h', then: 'ga', createdBy: 'token:operator', next: { index: 0, percent: 1, at: at(start) } });
    expect(created.body.plan.schedule.map((step: { dueAt: string }) => step.dueAt)).toEqual([0, 1, 2, 3, 4, 5].map((i) => at(start + i * 6 * HOUR)));
    expect(created.body.audit).toMatchObject({ actor: 'token:operator', command: 'ramp', flag: 'prMerge' });

    // Nothing is applied before the first alarm.
    expect((await decisions('prMerge')).some(Boolean)).toBe(false);
    const auditBefore = (await auditOf('prMerge')).length;

    const expected = [1, 5, 25, 50, 100];
    let previous: boolean[] = population.map(() => false);
    for (const [i, percent] of expected.entries()) {
      testControls.clock = start + i * 6 * HOUR;
      await alarm();
      const allowed = await decisions('prMerge');
      const share = allowed.filter(Boolean).length / allowed.length;
      expect(Math.abs(share - percent / 100), `step ${i + 1}: ${share} for ${percent}%`).toBeLessThan(0.035);
      previous.forEach((was, k) => was && expect(allowed[k], `step ${i + 1} removed ${population[k]?.userId}`).toBe(true));
      previous = allowed;

      const audit = await auditOf('prMerge');
      expect(audit.length - auditBefore, `audit entries after step ${i + 1}`).toBe(i + 1);
      const entry = audit.at(-1);
      expect(entry).toMatchObject({ actor: `plan:${planId}`, command: 'ramp', args: ['prMerge', String(percent)] });
      expect(entry?.reason).toContain(`step ${i + 1}/6: ${percent}%`);
      expect(entry?.reason).toContain('on behalf of token:operator');
      expect(entry?.after).toMatchObject({ stage: 'percentage', percentage: { value: percent } });
      if (i === 0) expect(entry?.before.stage).toBe('admin-only');

      // The same alarm again (retried, duplicated) and one a minute later: nothing is applied twice.
      const revision = await revisionOf();
      await alarm();
      testControls.clock += 60_000;
      await alarm();
      expect(await revisionOf()).toBe(revision);
      expect((await auditOf('prMerge')).length - auditBefore).toBe(i + 1);

      const plan = await planOf('prMerge');
      expect(plan.status).toBe('running');
      expect(plan.schedule[i]).toMatchObject({ state: 'applied', revision, auditId: entry?.id });
      expect(plan.next).toMatchObject({ index: i + 1, at: at(start + (i + 1) * 6 * HOUR) });
    }

    testControls.clock = start + 5 * 6 * HOUR;
    await alarm();
    expect((await decisions('prMerge')).every(Boolean)).toBe(true);
    const audit = await auditOf('prMerge');
    expect(audit.length - auditBefore).toBe(6);
    expect(audit.at(-1)).toMatchObject({ actor: `plan:${planId}`, command: 'stage', args: ['prMerge', 'ga'], after: { stage: 'ga' } });
    const done = await planOf('prMerge');
    expect(done).toMatchObject({ status: 'done', next: null });
    expect(done.schedule.map((step: { state: string }) => step.state)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied']);

    // A done plan's alarm does nothing (and nothing is armed for it).
    const revision = await revisionOf();
    testControls.clock += 24 * HOUR;
    await runDurableObjectAlarm(stub());
    expect(await revisionOf()).toBe(revision);
  });
});

describe('a late alarm', () => {
  it('applies only the step due now, records the missed ones as skipped and says so in its one audit entry', async () => {
    const start = (testControls.clock as number) + HOUR;
    testControls.clock = start - HOUR;
    const created = await post('/flags/multiRig/plan', { steps: [10, 20, 30, 40, 50], every: '1h', start: at(start), reason: 'multi-rig ramp' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const planId = created.body.plan.id as number;

    // An early alarm (nothing due yet) applies nothing.
    await alarm();
    expect((await planOf('multiRig')).schedule[0].state).toBe('pending');

    // 30 minutes late for step 1: step 1 only.
    testControls.clock = start + 30 * 60_000;
    await alarm();
    let plan = await planOf('multiRig');
    expect(plan.schedule.map((step: { state: string }) => step.state)).toEqual(['applied', 'pending', 'pending', 'pending', 'pending']);
    expect(plan.next).toMatchObject({ index: 1, at: at(start + HOUR) });

    // Down from before step 2 until after step 4 was due: only step 4 (40%) is applied.
    const auditBefore = (await auditOf('multiRig')).length;
    testControls.clock = start + 3 * HOUR + 10 * 60_000;
    await alarm();
    plan = await planOf('multiRig');
    expect(plan.schedule.map((step: { state: string }) => step.state)).toEqual(['applied', 'skipped', 'skipped', 'applied', 'pending']);
    expect(plan.next).toMatchObject({ index: 4, percent: 50, at: at(start + 4 * HOUR) });
    const audit = await auditOf('multiRig');
    expect(audit.length - auditBefore).toBe(1);
    const entry = audit.at(-1);
    expect(entry).toMatchObject({ actor: `plan:${planId}`, after: { percentage: { value: 40 } }, before: { percentage: { value: 10 } } });
    expect(entry?.reason).toMatch(/late: the control plane missed step 2 \(20%, due [^)]+\), step 3 \(30%, due [^)]+\); applied only the step due now/);
    const share = (await decisions('multiRig')).filter(Boolean).length / population.length;
    expect(Math.abs(share - 0.4)).toBeLessThan(0.035);

    testControls.clock = start + 4 * HOUR;
    await alarm();
    expect(await planOf('multiRig')).toMatchObject({ status: 'done' });
  });
});

describe('pause, resume, cancel and changes by hand', () => {
  it('a manual percentage change pauses the plan (the answer says so); resume and cancel are audited; a kill pauses and resume waits for a revive', async () => {
    const start = testControls.clock as number;
    const created = await post('/flags/molecules/plan', { steps: [5, 10, 20, 40], every: '2h', reason: 'molecules ramp' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const planId = created.body.plan.id as number;
    await alarm();
    expect((await planOf('molecules')).status).toBe('running');

    // By hand: the plan pauses in the same change, and the answer says so.
    const manual = await post('/flags/molecules/percent', { value: 7, reason: 'a little more by hand' });
    expect(manual.status).toBe(200);
    expect(manual.body.notes.join('\n')).toMatch(new RegExp(`plan ${planId} of molecules is paused: molecules was changed \\(percent\\) by token:operator`));
    let plan = await planOf('molecules');
    expect(plan).toMatchObject({ status: 'paused', next: null, paused: { by: 'token:operator' } });
    let audit = await auditOf('molecules');
    expect(audit.at(-2)).toMatchObject({ command: 'percent', actor: 'token:operator' });
    expect(audit.at(-1)).toMatchObject({ command: 'pause', actor: 'token:operator', revision: manual.body.revision });

    // Paused: the step due passes without being applied.
    testControls.clock = start + 2 * HOUR;
    await runDurableObjectAlarm(stub());
    expect((await planOf('molecules')).schedule[1].state).toBe('pending');
    expect((await auditOf('molecules')).length).toBe(audit.length);

    // Resume: the next step one interval later.
    const resumed = await post('/flags/molecules/plan/resume', { reason: '7% looks fine' });
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect(resumed.body.plan).toMatchObject({ status: 'running', next: { index: 1, percent: 10, at: at(start + 4 * HOUR) } });
    expect(resumed.body.audit).toMatchObject({ command: 'resume', actor: 'token:operator' });
    testControls.clock = start + 4 * HOUR;
    await alarm();
    expect((await auditOf('molecules')).at(-1)).toMatchObject({ actor: `plan:${planId}`, after: { percentage: { value: 10 } } });

    // Pause by API; a second pause changes nothing.
    const paused = await post('/flags/molecules/plan/pause', { reason: 'watching a metric' });
    expect(paused.body).toMatchObject({ changed: true, plan: { status: 'paused', paused: { reason: 'watching a metric' } }, audit: { command: 'pause' } });
    const again = await post('/flags/molecules/plan/pause', { reason: 'again' });
    expect(again.body).toMatchObject({ changed: false, audit: null });
    expect((await post('/flags/molecules/plan/resume', { reason: 'metric ok' })).status).toBe(200);

    // A kill of the parent pauses the sub-flag's plan; resume is refused until it is revived.
    const kill = await post('/flags/gastown/kill', { reason: 'incident' });
    expect(kill.body.notes.join('\n')).toContain(`plan ${planId} of molecules is paused: gastown was killed by token:operator`);
    expect((await planOf('molecules')).status).toBe('paused');
    const refused = await post('/flags/molecules/plan/resume', { reason: 'too early' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'bad-request', field: 'flag' });
    expect(refused.body.fix).toContain('revive');
    expect((await post('/flags/gastown/revive', { reason: 'fixed' })).status).toBe(200);
    expect((await planOf('molecules')).status).toBe('paused');

    // Cancel: audited; later alarms apply nothing; a new plan may then be created.
    const cancelled = await post('/flags/molecules/plan/cancel', { reason: 'ramping by hand instead' });
    expect(cancelled.body).toMatchObject({ changed: true, plan: { status: 'cancelled', ended: { by: 'token:operator', reason: 'ramping by hand instead' } }, audit: { command: 'cancel' } });
    const revision = await revisionOf();
    testControls.clock = start + 12 * HOUR;
    await runDurableObjectAlarm(stub());
    expect(await revisionOf()).toBe(revision);
    expect((await post('/flags/molecules/plan/resume', { reason: 'x' })).status).toBe(404);
    plan = await planOf('molecules');
    expect(plan.status).toBe('cancelled');
    audit = await auditOf('molecules');
    expect(audit.filter((entry) => entry.actor === `plan:${planId}`)).toHaveLength(2);
  });

  it('refuses bad input with 400 naming the field and the fix, and a viewer with 403; nothing changes', async () => {
    const revision = await revisionOf();
    const auditLength = (await auditOf('gastown')).length;
    const cases: [unknown, string][] = [
      [{ steps: [1, 5], every: '6x', reason: 'r' }, 'every'],
      [{ steps: [5, 1], every: '6h', reason: 'r' }, 'steps'],
      [{ steps: [0, 5], every: '6h', reason: 'r' }, 'steps.0'],
      [{ steps: [1, 5], every: '6h' }, 'reason'],
      [{ steps: [1, 5], every: '6h', start: 'tomorrow', reason: 'r' }, 'start'],
      [{ steps: [1, 5], every: '6h', start: '2001-01-01T00:00:00Z', reason: 'r' }, 'start'],
      [{ steps: [1, 5], every: '6h', then: 'allowlist', reason: 'r' }, 'then'],
      [{ steps: [1, 5], every: '6h', guard: { errorRate: 2, minSamples: 200, window: '10m' }, reason: 'r' }, 'guard.errorRate'],
      [{ steps: [1, 5], every: '6h', guard: { errorRate: 0.02, minSamples: 200, window: 'ten' }, reason: 'r' }, 'guard.window'],
      [{ steps: [1, 5], every: '6h', reason: 'r', extra: true }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const answer = await post('/flags/gastown/plan', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(`${answer.body.field} ${answer.body.message}`, JSON.stringify(answer.body)).toContain(field);
      expect(answer.body.fix, JSON.stringify(answer.body)).toBeTruthy();
    }
    const viewer = await post('/flags/gastown/plan', { steps: [1, 5], every: '6h', reason: 'r' }, TOKENS.viewer);
    expect(viewer.status).toBe(403);
    expect(await revisionOf()).toBe(revision);
    expect((await auditOf('gastown')).length).toBe(auditLength);
    expect((await api('GET', path('/flags/gastown/plan'), { token: TOKENS.viewer })).status).toBe(404);
  });
});
