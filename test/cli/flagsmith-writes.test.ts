import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../cli/audit/entry';
import type { FlagStatus } from '../../cli/commands/status';
import { cli } from '../helpers/cli';
import { startFakeFlagsmith, type FakeFlagsmith } from './fake-flagsmith/server';
import { ACTOR, cliJson, project } from './support';

let fake: FakeFlagsmith;
const ENVIRONMENT = 'DevEnvKey0000000000001';
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeFlagsmith();
  env = { FLAGSMITH_API_URL: fake.url, FLAGSMITH_ADMIN_API_KEY: fake.apiKey, FLAGSMITH_PROJECT_ID: String(fake.state.project.id), FLAGSMITH_ENVIRONMENT_KEY: ENVIRONMENT };
  const dir = project('fsw-provision');
  expect((await cli(dir, ['provision'], env)).code).toBe(0);
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  expect(fake.violations).toEqual([]);
});

const rollout = async () => {
  const status = await cliJson<{ flags: FlagStatus[] }>(project('fsw-read'), ['status', '--json'], env);
  return status.flags.find((flag) => flag.flag === 'gastown')!;
};

describe('the flagsmith backend under concurrent changes', () => {
  it('a slow allow that started before an on-call kill never undoes the kill', async () => {
    const operator = project('fsw-allow');
    const oncall = project('fsw-kill');
    expect((await cli(operator, ['stage', 'gastown', 'allowlist', ...ACTOR], env)).code).toBe(0);
    // The allow has read and planned; its next request (loading the project's objects) is held
    // until the kill has completed from another machine (another state directory, no shared lock).
    const held = fake.holdNext('GET', new RegExp(`^/api/v1/environments/${ENVIRONMENT}/$`));
    const allow = cli(operator, ['allow', 'gastown', '--user', 'late-user', ...ACTOR], env);
    await held.reached;
    const kill = await cli(oncall, ['kill', 'gastown', '--reason', 'incident', ...ACTOR], env);
    expect(kill.code, kill.stderr).toBe(0);
    held.release();
    const allowed = await allow;
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('gastown was killed meanwhile by someone else; that stays as it is');
    const after = await rollout();
    expect(after.killed).toBe(true);
    expect(after.allowlist.users).toBeGreaterThanOrEqual(1);
    const entries = (await cliJson<{ entries: AuditEntry[] }>(operator, ['audit', '--json', '--flag', 'gastown'], env)).entries;
    expect(entries.at(-1)?.after).toMatchObject({ killed: true, allowlist: { users: ['late-user'] } });
    expect((await cli(oncall, ['revive', 'gastown', ...ACTOR], env)).code).toBe(0);
  });

  it('12 concurrent allows lose nothing: every user reported as added is in the document', { timeout: 120_000 }, async () => {
    const dir = project('fsw-twelve');
    const users = Array.from({ length: 12 }, (_, index) => `crowd-${index}`);
    const results = await Promise.all(users.map((user) => cli(dir, ['allow', 'gastown', '--user', user, ...ACTOR], env)));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const listed = (await cliJson<{ flags: FlagStatus[] }>(dir, ['status', '--json'], env)).flags.find((flag) => flag.flag === 'gastown')!;
    expect(listed.allowlist.users).toBeGreaterThanOrEqual(12);
    const document = fake.document(ENVIRONMENT) as { project: { segments: { name: string; rules: { conditions: { value: string }[] }[] }[] } };
    const values = document.project.segments.find((segment) => segment.name === 'flagstage_gastown_allowlist')!.rules.flatMap((rule) => rule.conditions.map((condition) => condition.value));
    const inDocument = new Set(values.flatMap((value) => value.split(',')));
    for (const user of users) expect(inDocument.has(user), user).toBe(true);
    // One audit entry per allow, each showing its user added.
    const entries = (await cliJson<{ entries: AuditEntry[] }>(dir, ['audit', '--json', '--flag', 'gastown'], env)).entries;
    for (const user of users) expect(entries.filter((entry) => entry.command === 'allow' && entry.after.allowlist.users.includes(user) && !entry.before.allowlist.users.includes(user))).toHaveLength(1);
  });

  it('refuses an id Flagsmith would read as a JSON array before writing anything (exit 1, the rule)', async () => {
    const dir = project('fsw-json-id');
    const calls = fake.calls.length;
    const refused = await cli(dir, ['allow', 'gastown', '--user', '["ceo"]', ...ACTOR], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('flagstage: cannot allowlist user "[\\"ceo\\"]": an id may not start with "[" (Flagsmith would read the list as a JSON array, not as this id)\n');
    expect(fake.calls.slice(calls).filter((call) => !call.startsWith('GET'))).toEqual([]);
  });
});
