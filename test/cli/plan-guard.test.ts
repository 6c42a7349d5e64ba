// `flagstage plan` shows a plan's guard: its settings, what its window holds now ("not enough
// samples yet" under the minimum), and a trip first thing while the flag is killed, with the revive
// command. Against the real control plane `flagstage serve` runs (workerd through Miniflare, the
// SQLite Durable Object), outcomes reported through the real ingest route with serve's ingest key;
// the guard trips on the batch that brings its window over the threshold. Also `ramp`'s refusals
// of bad guard options, before anything is sent.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PlanJson } from '../../control/plans/view';
import { startControlPlane, type RunningControlPlane } from '../../cli/serve/control';
import { cli } from '../helpers/cli';
import { cliJson, manifest, project } from './support';

const dir = project('cli-plan-guard');
let plane: RunningControlPlane;
let remote: Record<string, string>;

beforeAll(async () => {
  plane = await startControlPlane({ manifest, stateDir: join(dir, '.flagstage'), environment: 'development', environmentKey: 'ser.plan-guard-cli', host: '127.0.0.1', port: 0, webhooks: [] });
  remote = { FLAGSTAGE_URL: plane.url, FLAGSTAGE_TOKEN: plane.token };
}, 120_000);
afterAll(async () => plane?.stop());

/** Reports outcomes for gastown as a gate's `outcomeReporter` would: POST …/outcomes with the ingest key. */
async function report(errors: number, successes: number, credential = plane.ingestKey, extra: unknown[] = []) {
  const outcomes = [
    ...(errors > 0 ? [{ flag: 'gastown', reason: 'percentage', outcome: 'error', count: errors }] : []),
    ...(successes > 0 ? [{ flag: 'gastown', reason: 'percentage', outcome: 'success', count: successes }] : []),
    ...extra,
  ];
  const response = await fetch(`${plane.url}/v1/environments/development/outcomes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sampleRate: 1, outcomes }),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

type PlanOutput = { backend: string; plan: PlanJson; killedBy: string | null };

describe('flagstage plan shows the guard (flagstage serve, outcomes through the ingest route)', () => {
  it('settings and the window, "not enough samples yet" under the minimum, then the trip first with the revive command', async () => {
    const ramp = await cli(
      dir,
      ['ramp', 'gastown', '--steps', '10,50', '--every', '1h', '--guard-error-rate', '2%', '--guard-min-samples', '200', '--guard-window', '10m', '--reason', 'Gastown launch'],
      remote,
    );
    expect(ramp.code, ramp.stderr).toBe(0);
    expect(ramp.stdout).toContain('guard: kill the flag when the error rate is above 2% with at least 200 outcomes in the last 10m\n');
    expect(ramp.stdout).toMatch(/\n {2}now: 0 errors in 0 outcomes since \S+: not enough samples yet \(0 of 200\); the guard never judges an under-sampled window\n {2}last trip: never\n/);
    // The first step is due at once: the alarm applies it (the rollout now lets people in).
    await vi.waitFor(async () => expect((await cliJson<PlanOutput>(dir, ['plan', 'gastown'], remote)).plan.schedule[0]?.state).toBe('applied'), { timeout: 15_000, interval: 100 });

    // 150 outcomes from the rollout at 6.67% (+5 from GA access, not counted): under the minimum.
    expect(await report(10, 140, plane.ingestKey, [{ flag: 'gastown', reason: 'ga', outcome: 'error', count: 5 }])).toEqual({ status: 202, json: { counted: 150, ignored: 5 } });
    // Only the ingest key reports: the owner token is refused and nothing is counted.
    expect((await report(500, 0, plane.token)).status).toBe(401);

    const under = await cli(dir, ['plan', 'gastown'], remote);
    expect(under.code, under.stderr).toBe(0);
    expect(under.stdout).toMatch(/^gastown: plan 1, running — 10% -> 50%, every 1h\n/);
    expect(under.stdout).not.toContain('GUARD TRIPPED');
    expect(under.stdout).toContain('guard: kill the flag when the error rate is above 2% with at least 200 outcomes in the last 10m\n');
    expect(under.stdout).toMatch(/\n {2}now: 10 errors in 150 outcomes since \S+ \(6\.67%\): not enough samples yet \(150 of 200\); the guard never judges an under-sampled window\n {2}last trip: never\n$/);
    const underJson = await cliJson<PlanOutput>(dir, ['plan', 'gastown'], remote);
    expect(underJson.killedBy).toBeNull();
    expect(underJson.plan.guard).toMatchObject({ errorRate: 0.02, minSamples: 200, window: '10m' });
    expect(underJson.plan.guardWindow).toMatchObject({ samples: 150, errors: 10 });
    expect(underJson.plan.guardWindow?.rate).toBeCloseTo(10 / 150, 6);
    expect(underJson.plan.guardState).toBeNull();

    // 100 more at 3%: 13 errors in 250 = 5.2%, above 2% with the minimum reached: the guard trips.
    expect(await report(3, 97)).toEqual({ status: 202, json: { counted: 100, ignored: 0 } });

    const tripped = await cli(dir, ['plan', 'gastown'], remote);
    expect(tripped.code, tripped.stderr).toBe(0);
    expect(tripped.stdout).toMatch(
      new RegExp(
        [
          '^gastown: plan 1, paused — 10% -> 50%, every 1h',
          'created by token:local-owner at \\S+: Gastown launch',
          '',
          'GUARD TRIPPED: gastown is killed',
          ' {2}at \\S+ the guard of plan 1 measured 5\\.2% errors in 250 outcomes \\(threshold 2%, at least 200 in 10m\\)',
          ' {2}it turned the kill-switch on \\(everyone but admins lost gastown for new access; work already in flight continues\\) and paused the plan',
          ' {2}the guard never revives anything: reviving is a human decision\\. Once the cause is understood:',
          ' {4}flagstage revive gastown --reason "…"',
          ' {4}flagstage resume gastown --reason "…" {3}\\(or cancel it\\)',
          '',
          'STEP',
        ].join('\n'),
      ),
    );
    expect(tripped.stdout).toMatch(/\npaused by guard:1 at \S+: /);
    expect(tripped.stdout).toMatch(/\n {2}now: 0 errors in 0 outcomes since \S+: the flag is killed; the guard does not look until it is revived\n/);
    expect(tripped.stdout).toMatch(/\n {2}last trip: TRIPPED at \S+: 5\.2% errors in 250 outcomes; it turned the kill-switch on and paused the plan\n$/);
    const trippedJson = await cliJson<PlanOutput>(dir, ['plan', 'gastown'], remote);
    expect(trippedJson.killedBy).toBe('gastown');
    expect(trippedJson.plan.status).toBe('paused');
    expect(trippedJson.plan.guardState).toMatchObject({ rate: 0.052, samples: 250 });
    // The kill is the guard's own audited change, with what it measured.
    const audit = await cliJson<{ entries: { actor: string; command: string; reason: string }[] }>(dir, ['audit', '--flag', 'gastown'], remote);
    const kills = audit.entries.filter((entry) => entry.command === 'kill');
    expect(kills).toHaveLength(1);
    expect(kills[0]).toMatchObject({ actor: 'guard:1' });
    expect(kills[0]?.reason).toContain('13 errors in 250 samples');

    // status says why gastown is killed: the guard, what it measured, and the revive command.
    const status = await cli(dir, ['status'], remote);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/\ngastown: KILLED by guard:1 \(5\.2% errors in 250 outcomes, \d{4}-\d\d-\d\dT[\d:.]+Z\): reviving is a human decision: flagstage revive gastown --reason "…"\n/);
    expect(status.stdout.match(/KILLED by guard/g)).toHaveLength(1);
    type StatusOutput = { flags: { flag: string; killedBy: string | null; guardTrip: { by: string; plan: number; trippedAt: string; rate: number; samples: number; revive: string } | null }[] };
    const statusJson = await cliJson<StatusOutput>(dir, ['status'], remote);
    const gastown = statusJson.flags.find((flag) => flag.flag === 'gastown');
    expect(gastown?.guardTrip).toEqual({ by: 'guard:1', plan: 1, trippedAt: trippedJson.plan.guardState?.trippedAt, rate: 0.052, samples: 250, revive: 'gastown' });
    expect(statusJson.flags.filter((flag) => flag.flag !== 'gastown').every((flag) => flag.guardTrip === null)).toBe(true);

    // Reviving is a person's: afterwards the alert is gone, the last trip stays, the window restarts.
    const revived = await cli(dir, ['revive', 'gastown', '--reason', 'dispatch fix deployed'], remote);
    expect(revived.code, revived.stderr).toBe(0);
    const statusAfter = await cli(dir, ['status'], remote);
    expect(statusAfter.code, statusAfter.stderr).toBe(0);
    expect(statusAfter.stdout).not.toContain('KILLED by guard');
    expect(statusAfter.stdout).toMatch(/\ngastown +- +percentage +no +/);
    expect((await cliJson<StatusOutput>(dir, ['status'], remote)).flags.every((flag) => flag.guardTrip === null)).toBe(true);
    const after = await cli(dir, ['plan', 'gastown'], remote);
    expect(after.stdout).not.toContain('GUARD TRIPPED');
    expect(after.stdout).toMatch(/\n {2}now: 0 errors in 0 outcomes since \S+: not enough samples yet \(0 of 200\); the guard never judges an under-sampled window\n {2}last trip: TRIPPED at \S+: 5\.2% errors in 250 outcomes;/);
  }, 120_000);

  it('ramp refuses bad guard options before sending anything, naming the option and what it takes', async () => {
    const base = ['ramp', 'gastown', '--steps', '5,10', '--every', '1h', '--reason', 'r'];
    const refusals: [string[], RegExp][] = [
      [['--guard-error-rate', 'abc'], /--guard-error-rate abc is not an error rate; give a percentage \(2%\) or a fraction \(0\.02\) above 0 and at most 100%/],
      [['--guard-error-rate', '0%'], /--guard-error-rate 0% is not an error rate/],
      [['--guard-error-rate', '150%'], /--guard-error-rate 150% is not an error rate/],
      [['--guard-error-rate', '2'], /--guard-error-rate 2 is not an error rate: a bare number is a fraction \(0\.02 = 2%\); write 2% for 2 percent/],
      [['--guard-error-rate'], /option --guard-error-rate needs a value/],
      [['--guard-error-rate', '2%', '--guard-min-samples', '0'], /--guard-min-samples 0 is not a sample count; give a whole number from 1 to 10000000 \(e\.g\. 200\)/],
      [['--guard-error-rate', '2%', '--guard-min-samples', '2.5'], /--guard-min-samples 2\.5 is not a sample count/],
      [['--guard-error-rate', '2%', '--guard-window', '10'], /--guard-window 10 is not a duration; write a whole number and a unit: s, m, h or d/],
      [['--guard-error-rate', '2%', '--guard-window', '400d'], /--guard-window 400d is not a duration; .*up to a year/],
      [['--guard-min-samples', '200'], /--guard-min-samples and --guard-window go with --guard-error-rate RATE/],
    ];
    for (const [extra, message] of refusals) {
      const result = await cli(dir, [...base, ...extra], remote);
      expect(result.code, extra.join(' ')).toBe(1);
      expect(result.stderr, extra.join(' ')).toMatch(message);
    }
    // Nothing reached the control plane: plan 1 is still the flag's only plan.
    expect((await cliJson<PlanOutput>(dir, ['plan', 'gastown'], remote)).plan.id).toBe(1);
  });
});
