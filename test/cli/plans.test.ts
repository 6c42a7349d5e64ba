// `flagstage ramp | plan | pause | resume | cancel` against the real control plane run by
// `flagstage serve`'s code (workerd through Miniflare, the SQLite Durable Object and its alarm on
// real time, steps every 2 s), and the clear refusal of the backends that have no control plane.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PlanJson } from '../../control/plans/view';
import { startControlPlane, type RunningControlPlane } from '../../cli/serve/control';
import { cli } from '../helpers/cli';
import { cliDecisions, cliJson, manifest, population, project } from './support';

const dir = project('cli-plans');
let plane: RunningControlPlane;
let remote: Record<string, string>;

beforeAll(async () => {
  plane = await startControlPlane({ manifest, stateDir: join(dir, '.flagstage'), environment: 'development', environmentKey: 'ser.plans-cli-key', host: '127.0.0.1', port: 0, webhooks: [] });
  remote = { FLAGSTAGE_URL: plane.url, FLAGSTAGE_TOKEN: plane.token };
}, 120_000);
afterAll(async () => plane?.stop());

const people = population().filter((identity) => !identity.isAdmin);
const usersFile = join(dir, 'people.jsonl');
writeFileSync(usersFile, `${people.map((identity) => JSON.stringify(identity)).join('\n')}\n`);

const planOf = async () => (await cliJson<{ plan: PlanJson }>(dir, ['plan', 'gastown'], remote)).plan;
const share = async () => (await cliDecisions(dir, 'gastown', usersFile, remote)).filter((decision) => decision.allowed).length / people.length;

describe('rollout plans from the CLI (flagstage serve)', () => {
  it('ramp applies its steps on the alarm; plan shows them; pause, resume and cancel steer it, audited', async () => {
    const ramp = await cli(dir, ['ramp', 'gastown', '--steps', '10,50', '--every', '2s', '--then', 'ga', '--guard-error-rate', '2%', '--reason', 'Gastown launch'], remote);
    expect(ramp.code, ramp.stderr).toBe(0);
    expect(ramp.stdout).toMatch(/^gastown: plan 1, scheduled — 10% -> 50% -> GA, every 2s\n/);
    expect(ramp.stdout).toContain('guard: kill the flag when the error rate is above 2% with at least 200 outcomes in the last 10m\n  now: 0 errors in 0 outcomes since ');
    expect(ramp.stdout).toContain('not enough samples yet (0 of 200)');

    // The first step is due at once: the alarm applies it.
    await vi.waitFor(async () => expect((await planOf()).schedule[0]?.state).toBe('applied'), { timeout: 15_000, interval: 100 });
    const paused = await cli(dir, ['pause', 'gastown', '--reason', 'looking at the error rate'], remote);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/paused by token:local-owner at \S+: looking at the error rate/);
    const atTen = await share();
    expect(atTen).toBeGreaterThan(0.04);
    expect(atTen).toBeLessThan(0.17);

    const shown = await cli(dir, ['plan', 'gastown'], remote);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/\n1\s+10%\s+applied\s+\S+\s+\d+\n2\s+50%\s+pending\s+after resume\s+-\n3\s+GA\s+pending/);

    // Paused: well past the next step's time, nothing moves.
    const auditBefore = (await cliJson<{ entries: unknown[] }>(dir, ['audit', '--flag', 'gastown'], remote)).entries.length;
    await vi.waitFor(async () => expect(Date.now()).toBeGreaterThan(Date.parse((await planOf()).paused?.at ?? '') + 2_500), { timeout: 10_000, interval: 250 });
    expect((await planOf()).schedule[1]?.state).toBe('pending');

    const resumed = await cli(dir, ['resume', 'gastown', '--reason', 'error rate flat'], remote);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/next: step 2 \(50%\) at \S+/);
    await vi.waitFor(async () => expect((await planOf()).schedule[1]?.state).toBe('applied'), { timeout: 15_000, interval: 100 });
    // A change by hand to a running plan's flag pauses the plan, and the CLI says so.
    const byHand = await cli(dir, ['percent', 'gastown', '55', '--reason', 'a little more'], remote);
    expect(byHand.code, byHand.stderr).toBe(0);
    expect(byHand.stdout).toMatch(/note: plan 1 of gastown is paused: gastown was changed \(percent\) by token:local-owner/);
    const cancelled = await cli(dir, ['cancel', 'gastown', '--reason', 'GA by hand later'], remote);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(/cancelled at \S+ by token:local-owner: GA by hand later/);
    const atFifty = await share(); // 55% by hand
    expect(atFifty).toBeGreaterThan(0.45);
    expect(atFifty).toBeLessThan(0.65);

    const audit = await cliJson<{ entries: { actor: string; command: string; reason: string }[] }>(dir, ['audit', '--flag', 'gastown'], remote);
    const steps = audit.entries.filter((entry) => entry.actor === 'plan:1');
    expect(steps.map((entry) => entry.command)).toEqual(['ramp', 'ramp']);
    expect(steps.every((entry) => entry.reason.includes('on behalf of token:local-owner'))).toBe(true);
    expect(audit.entries.slice(auditBefore).map((entry) => `${entry.actor} ${entry.command}`)).toEqual(['token:local-owner resume', 'plan:1 ramp', 'token:local-owner percent', 'token:local-owner pause', 'token:local-owner cancel']);
    expect((await planOf()).status).toBe('cancelled');
  }, 120_000);

  it('refuses with the fix: bad options before sending, the control plane on a wrong state, a reason missing', async () => {
    const refusals: [string[], RegExp][] = [
      [['ramp', 'gastown', '--steps', '5,1', '--every', '1h', '--reason', 'r'], /--steps: 1 is not above 5; list the steps in increasing order/],
      [['ramp', 'gastown', '--steps', '5,10', '--every', '6x', '--reason', 'r'], /--every 6x is not a duration; write a whole number and a unit: s, m, h or d/],
      [['ramp', 'gastown', '--steps', '5,10', '--every', '1h'], /pass --reason TEXT/],
      [['ramp', 'gastown', '--steps', '5,10', '--every', '1h', '--guard-window', '5m', '--reason', 'r'], /--guard-window go with --guard-error-rate/],
      [['ramp', 'gastown', '--steps', '5,10', '--every', '1h', '--reason', 'r'], /gastown is at 55%, above the first step \(5%\); start the steps at 55 or above/],
      [['resume', 'gastown', '--reason', 'r'], /gastown has no active plan; create one with flagstage ramp gastown/],
      [['pause', 'gastown'], /pass --reason TEXT/],
    ];
    for (const [args, message] of refusals) {
      const result = await cli(dir, args, remote);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('the local and Flagsmith backends say that plans need the control plane', async () => {
    const local = project('cli-plans-local');
    for (const args of [['ramp', 'gastown', '--steps', '1,5', '--every', '1h', '--reason', 'r'], ['plan', 'gastown'], ['pause', 'gastown', '--reason', 'r']]) {
      const result = await cli(local, args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/rollout plans need the control plane, whose alarm applies the steps; the local backend has none\. Run `flagstage serve`/);
    }
    const flagsmith = await cli(local, ['plan', 'gastown'], { FLAGSMITH_API_URL: 'http://127.0.0.1:9/api/v1/', FLAGSMITH_ADMIN_API_KEY: 'x', FLAGSMITH_PROJECT_ID: '1', FLAGSMITH_ENVIRONMENT_KEY: 'ser.x' });
    expect(flagsmith.code).toBe(1);
    expect(flagsmith.stderr).toContain('the flagsmith backend has none');
  });
});
