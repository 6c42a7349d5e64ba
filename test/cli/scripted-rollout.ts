import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AuditEntry } from '../../cli/audit/entry';
import type { Flagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import { cli } from '../helpers/cli';
import { ACTOR, cliDecisions, cliJson, manifest, population } from './support';
import { explain } from 'flagstage/explain';

/** The rollout every backend must carry out: admin-only, 3 users and an org, 10%, 50%, kill, revive, GA. */
export const STEPS: readonly (readonly string[])[] = [
  ['allow', 'gastown', '--user', 'u1', '--user', 'u2', '--user', 'u3', '--org', 'acme'],
  ['stage', 'gastown', 'allowlist'],
  ['percent', 'gastown', '10'],
  ['stage', 'gastown', 'percentage'],
  ['percent', 'gastown', '50'],
  ['kill', 'gastown'],
  ['revive', 'gastown'],
  ['stage', 'gastown', 'ga'],
];

const LISTED = ['u1', 'u2', 'u3', 'acme-member-1', 'acme-member-2'];

/**
 * Runs the scripted rollout through the CLI and, before the first step and after each one, checks
 * that `explain` (single and --users-file) agrees with the runtime given the same document, for
 * gastown and its sub-flag convoys. Returns who was allowed gastown at each step.
 */
export async function scriptedRollout(dir: string, env: Record<string, string | undefined>, runtime: () => Promise<Flagstage<typeof manifest>>): Promise<Set<string>[]> {
  const people = population();
  const file = join(dir, 'population.jsonl');
  writeFileSync(file, `${people.map((person) => JSON.stringify(person)).join('\n')}\n`);
  const allowedAt: Set<string>[] = [];

  const check = async () => {
    const flags = await runtime();
    for (const flag of ['gastown', 'convoys'] as const) {
      const expected: unknown[] = [];
      for (const person of people) expected.push({ ...(await flags.decide(flag, person)), userId: person.userId });
      expect(await cliDecisions(dir, flag, file, env)).toEqual(expected);
    }
    const u1: Identity = { userId: 'u1', orgId: null, isAdmin: false };
    const explained = await cliJson<unknown>(dir, ['explain', 'gastown', '--user', 'u1'], env);
    expect(explained).toEqual(JSON.parse(JSON.stringify(await explain(flags, 'gastown', u1))));
    const allowed = new Set<string>();
    for (const person of people) if ((await flags.decide('gastown', person)).allowed) allowed.add(person.userId);
    allowedAt.push(allowed);
  };

  await check();
  for (const [index, step] of STEPS.entries()) {
    const result = await cli(dir, [...step, '--reason', `step ${index + 1}`, ...ACTOR], env);
    expect(result.code, `${step.join(' ')}: ${result.stderr}`).toBe(0);
    await check();
  }

  const randoms = (set: Set<string>) => [...set].filter((id) => id.startsWith('user-'));
  const [start, allow, allowlist, ten, percentage, fifty, killed, revived, ga] = allowedAt as [Set<string>, ...Set<string>[]];
  expect([...start]).toEqual(['boss']);
  expect([...(allow ?? [])]).toEqual(['boss']);
  expect([...(allowlist ?? [])].sort()).toEqual(['boss', ...LISTED].sort());
  expect(ten).toEqual(allowlist); // the split is set but the stage is still allowlist
  const tenPercent = randoms(percentage ?? new Set());
  expect(tenPercent.length).toBeGreaterThan(10); // of 300: about 30
  expect(tenPercent.length).toBeLessThan(60);
  const fiftyPercent = randoms(fifty ?? new Set());
  expect(fiftyPercent.length).toBeGreaterThan(110); // about 150
  expect(fiftyPercent.length).toBeLessThan(190);
  for (const id of tenPercent) expect(fifty?.has(id), `${id} stays in when ramping up`).toBe(true);
  for (const id of LISTED) expect(fifty?.has(id)).toBe(true);
  expect([...(killed ?? [])]).toEqual(['boss']);
  expect(revived).toEqual(fifty);
  expect(ga?.size).toBe(people.length);

  const { entries } = await cliJson<{ entries: AuditEntry[] }>(dir, ['audit'], env);
  expect(entries).toHaveLength(STEPS.length);
  entries.forEach((entry, index) => {
    expect(entry).toMatchObject({ command: STEPS[index]?.[0], flag: 'gastown', actor: 'test-runner', reason: `step ${index + 1}` });
    expect(entry.before).not.toEqual(entry.after);
    if (index > 0) expect(entry.before).toEqual(entries[index - 1]?.after);
  });
  expect(entries.map((entry) => [entry.after.stage, entry.after.killed, entry.after.percentage?.value ?? null])).toEqual([
    ['admin-only', false, null],
    ['allowlist', false, null],
    ['allowlist', false, 10],
    ['percentage', false, 10],
    ['percentage', false, 50],
    ['percentage', true, 50],
    ['percentage', false, 50],
    ['ga', false, 50],
  ]);
  expect(entries[0]?.after.allowlist).toEqual({ users: ['u1', 'u2', 'u3'], orgs: ['acme'] });
  return allowedAt;
}
