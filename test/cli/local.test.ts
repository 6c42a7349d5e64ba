import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../cli/audit/entry';
import type { FlagStatus } from '../../cli/commands/status';
import { runCli } from '../../cli/main';
import { cli } from '../helpers/cli';
import { ACTOR, cliJson, localDocument, project } from './support';

interface ChangeJson {
  flag: string;
  changed: boolean;
  before: AuditEntry['before'];
  after: AuditEntry['after'];
  revision: string;
  notes: string[];
}

const statusOf = async (dir: string, flag: string) => (await cliJson<{ flags: FlagStatus[] }>(dir, ['status'])).flags.find((row) => row.flag === flag);

describe('flagstage on the local backend', () => {
  it('creates the document on first use with every flag admin-only, and status shows every flag', async () => {
    const dir = project('cli-status');
    const result = await cli(dir, ['status']);
    expect(result.code).toBe(0);
    for (const flag of ['gastown', 'convoys', 'prMerge', 'multiRig', 'molecules']) expect(result.stdout).toMatch(new RegExp(`${flag}\\s+\\S+\\s+admin-only\\s+no\\s+0 users, 0 orgs\\s+-\\s+-`));
    expect(result.stdout).not.toContain('\u001b['); // no colour off a TTY
    const doc = localDocument(dir);
    expect(doc.feature_states.map((state) => [state.feature.name, state.enabled])).toEqual([
      ['gastown', false],
      ['gastown_kill_switch', false],
      ['convoys', false],
      ['pr_merge', false],
      ['multi_rig', false],
      ['molecules', false],
    ]);
    const admins = doc.project.segments?.find((segment) => segment.name === 'flagstage_admins');
    expect(admins?.rules).toEqual([{ type: 'ALL', rules: [], conditions: [{ property_: 'is_admin', operator: 'EQUAL', value: 'true' }] }]);
    expect(admins?.feature_states?.every((state) => state.enabled && state.feature_segment?.priority === 0)).toBe(true);
    expect(doc.identity_overrides).toEqual([]);
    expect(typeof doc.updated_at).toBe('string');

    const json = await cliJson<{ backend: string; revision: string; flags: FlagStatus[] }>(dir, ['status']);
    expect(json.backend).toBe('local');
    expect(json.revision).toBe(doc.updated_at);
    expect(json.flags.find((row) => row.flag === 'convoys')).toEqual({
      flag: 'convoys',
      feature: 'convoys',
      parent: 'gastown',
      stage: 'admin-only',
      killed: false,
      killedBy: null,
      allowlist: { users: 0, orgs: 0 },
      percentage: null,
      lastChange: null,
      guardTrip: null,
    });
  });

  it('stage moves between stages, keeps lists, and records actor, reason, before and after', async () => {
    const dir = project('cli-stage');
    const allowed = await cliJson<ChangeJson>(dir, ['allow', 'gastown', '--user', 'u1', ...ACTOR]);
    expect(allowed.notes.join(' ')).toContain('gastown is at admin-only: the allowlist takes effect from stage allowlist');
    const staged = await cliJson<ChangeJson>(dir, ['stage', 'gastown', 'allowlist', '--reason', 'design partners', ...ACTOR]);
    expect(staged).toMatchObject({ changed: true, before: { stage: 'admin-only' }, after: { stage: 'allowlist', allowlist: { users: ['u1'], orgs: [] } } });
    const down = await cliJson<ChangeJson>(dir, ['stage', 'gastown', 'admin-only', ...ACTOR]);
    expect(down.after).toMatchObject({ stage: 'admin-only', allowlist: { users: ['u1'] } });
    const back = await cliJson<ChangeJson>(dir, ['stage', 'gastown', 'allowlist', ...ACTOR]);
    expect(back.after.allowlist.users).toEqual(['u1']);
    const again = await cliJson<ChangeJson>(dir, ['stage', 'gastown', 'allowlist', ...ACTOR]);
    expect(again.changed).toBe(false);

    const audit = await cliJson<{ entries: AuditEntry[] }>(dir, ['audit']);
    expect(audit.entries.map((entry) => [entry.command, entry.after.stage])).toEqual([
      ['allow', 'admin-only'],
      ['stage', 'allowlist'],
      ['stage', 'admin-only'],
      ['stage', 'allowlist'],
    ]);
    expect(audit.entries[1]).toMatchObject({ actor: 'test-runner', reason: 'design partners', flag: 'gastown', backend: 'local', args: ['gastown', 'allowlist', '--reason', 'design partners', '--actor', 'test-runner', '--json'] });
    const status = await statusOf(dir, 'gastown');
    expect(status?.lastChange).toMatchObject({ command: 'stage', actor: 'test-runner' });
    const human = await cli(dir, ['audit']);
    expect(human.stdout).toMatch(/stage\s+gastown\s+stage admin-only -> allowlist\s+design partners/);
  });

  it('user errors exit 1 with a one-line fix and leave the state untouched', async () => {
    const dir = project('cli-errors');
    await cli(dir, ['status']);
    const before = readFileSync(join(dir, '.flagstage/environment.json'), 'utf8');
    const cases: [string[], RegExp][] = [
      [['stage', 'gastwon', 'ga'], /^flagstage: unknown flag "gastwon"; did you mean gastown\?\n$/],
      [['stage', 'gastown', 'beta'], /^flagstage: unknown stage "beta"; use one of admin-only, allowlist, percentage, ga\n$/],
      [['stage', 'gastown', 'percentage'], /^flagstage: gastown has no percentage yet; set one first with `flagstage percent gastown <0-100>`/],
      [['stage', 'convoys', 'ga'], /^flagstage: convoys at ga cannot take effect while its parent gastown is admin-only .*pass --force/],
      [['percent', 'gastown', '101'], /^flagstage: percentage "101" is not a number from 0 to 100/],
      [['percent', 'gastown', '-5'], /^flagstage: percentage "-5" is not a number from 0 to 100/],
      [['percent'], /^flagstage: name a flag and a percentage, e\.g\. `flagstage percent gastown 10`/],
      [['stage'], /^flagstage: name a flag and a stage, e\.g\. `flagstage stage gastown allowlist`/],
      [['percent', 'gastown', 'ten'], /^flagstage: percentage "ten" is not a number from 0 to 100/],
      [['percent', 'gastown', '10', '--by', 'team'], /^flagstage: --by team is not a bucketing; use --by user or --by org\n$/],
      [['kill', 'convoys'], /^flagstage: convoys has no kill-switch of its own: it is killed with its parent; run `flagstage kill gastown`\n$/],
      [['allow', 'gastown'], /^flagstage: name at least one --user ID or --org ID to allow\n$/],
      [['allow', 'nope', '--user', 'u1'], /^flagstage: unknown flag "nope"; the flags are gastown, convoys, prMerge, multiRig, molecules\n$/],
      [['stage', 'gastown', 'ga', '--colour'], /^flagstage: Unknown option '--colour'; run `flagstage stage --help`\n$/],
      [['allow', 'gastown', '--user'], /^flagstage: option --user needs a value; run `flagstage allow --help`\n$/],
      [['audit', '--reason', 'x'], /^flagstage: Unknown option '--reason'; run `flagstage audit --help`\n$/],
      [['explain', 'gastown'], /^flagstage: name the identity with --user ID/],
      [['status', '--backend', 'cloud'], /^flagstage: unknown backend "cloud"; use --backend local, remote or flagsmith\n$/],
      [['bogus'], /^flagstage: unknown command "bogus"; run `flagstage --help` for the list\n$/],
      [['stat'], /^flagstage: unknown command "stat"; did you mean `flagstage status`\? run `flagstage --help` for the list\n$/],
      [['--backend', 'local', 'status'], /^flagstage: put the command first: `flagstage status --backend local`\n$/],
      [['--json'], /^flagstage: "--json" is an option; put the command first: flagstage <command> \[options\]/],
    ];
    for (const [args, message] of cases) {
      const changes = ['stage', 'allow', 'disallow', 'percent', 'kill', 'revive'].includes(args[0] ?? '');
      const result = await cli(dir, changes ? [...args, ...ACTOR] : args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const fromEnv = await cli(dir, ['status'], { FLAGSTAGE_BACKEND: 'cloud' });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toBe('flagstage: unknown FLAGSTAGE_BACKEND=cloud; set FLAGSTAGE_BACKEND to local, remote or flagsmith\n');
    expect(readFileSync(join(dir, '.flagstage/environment.json'), 'utf8')).toBe(before);
    expect((await cliJson<{ entries: AuditEntry[] }>(dir, ['audit'])).entries).toEqual([]);
  });

  it('accepts the Flagsmith feature name for a flag, and a sub-flag with --force or once its parent is up', async () => {
    const dir = project('cli-subflag');
    const forced = await cliJson<ChangeJson>(dir, ['stage', 'pr_merge', 'ga', '--force', ...ACTOR]);
    expect(forced).toMatchObject({ flag: 'prMerge', after: { stage: 'ga' } });
    expect(forced.notes.join(' ')).toContain('prMerge takes effect only where its parent gastown is allowed (gastown is at admin-only)');
    await cliJson(dir, ['stage', 'gastown', 'allowlist', ...ACTOR]);
    const convoys = await cliJson<ChangeJson>(dir, ['stage', 'convoys', 'ga', ...ACTOR]);
    expect(convoys.notes.join(' ')).toContain('gastown is at allowlist');
  });

  it('allow and disallow edit the lists, split long lists within Flagsmith limits, and refuse beyond them', async () => {
    const dir = project('cli-allow');
    const added = await cliJson<ChangeJson>(dir, ['allow', 'gastown', '--user', 'u1,u2', '--user', 'u3', '--org', 'acme', ...ACTOR]);
    expect(added.after.allowlist).toEqual({ users: ['u1', 'u2', 'u3'], orgs: ['acme'] });
    const removed = await cliJson<ChangeJson>(dir, ['disallow', 'gastown', '--user', 'u2', '--user', 'ghost', ...ACTOR]);
    expect(removed.after.allowlist).toEqual({ users: ['u1', 'u3'], orgs: ['acme'] });
    expect(removed.notes.join(' ')).toContain('user ghost is not on the allowlist');
    const human = await cli(dir, ['allow', 'gastown', '--user', 'u1', ...ACTOR]);
    expect(human.stdout).toBe('gastown: no change (stage admin-only)\nnote: user u1 is already on the allowlist\nnote: gastown is at admin-only: the allowlist takes effect from stage allowlist (`flagstage stage gastown allowlist`)\n');

    // 3,000 ids of 36 characters: about 110 KB, split across conditions of at most 1,000 characters.
    const many = Array.from({ length: 2_500 }, (_, index) => `user-${String(index).padStart(31, '0')}`);
    const big = await cli(dir, ['allow', 'gastown', '--user', many.join(','), ...ACTOR]);
    expect(big.code, big.stderr).toBe(0);
    const segment = localDocument(dir).project.segments?.find((candidate) => candidate.name === 'flagstage_gastown_allowlist');
    const conditions = segment?.rules[0]?.conditions ?? [];
    expect(conditions.length).toBeGreaterThan(90);
    expect(conditions.length).toBeLessThanOrEqual(100);
    expect(Math.max(...conditions.map((condition) => String(condition.value).length))).toBeLessThanOrEqual(1000);
    expect((await statusOf(dir, 'gastown'))?.allowlist).toEqual({ users: 2_502, orgs: 1 });

    const before = readFileSync(join(dir, '.flagstage/environment.json'), 'utf8');
    const tooMany = Array.from({ length: 500 }, (_, index) => `more-${String(index).padStart(31, '0')}`);
    const refused = await cli(dir, ['allow', 'gastown', '--user', tooMany.join(','), ...ACTOR]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^flagstage: the allowlist would need 1\d\d segment conditions for 3002 users and 1 orgs, more than Flagsmith's 100 per segment \(each holds at most 1000 characters of ids\); allow an org instead/);
    expect(readFileSync(join(dir, '.flagstage/environment.json'), 'utf8')).toBe(before);
  });

  it('percent sets the split and its bucketing, and says when the flag is below the percentage stage', async () => {
    const dir = project('cli-percent');
    const set = await cliJson<ChangeJson>(dir, ['percent', 'gastown', '10', ...ACTOR]);
    expect(set.after.percentage).toEqual({ value: 10, by: 'user' });
    expect(set.notes).toEqual(['gastown is at admin-only: the percentage takes effect from stage percentage (`flagstage stage gastown percentage`)']);
    await cliJson(dir, ['stage', 'gastown', 'percentage', ...ACTOR]);
    const byOrg = await cliJson<ChangeJson>(dir, ['percent', 'gastown', '12.5%', '--by', 'org', ...ACTOR]);
    expect(byOrg.after.percentage).toEqual({ value: 12.5, by: 'org' });
    expect(byOrg.notes.join(' ')).toContain("bucketing by org differs from flags.config.ts (bucketBy: 'user')");
    const split = localDocument(dir).project.segments?.find((segment) => segment.name === 'flagstage_gastown_percentage');
    expect(split?.rules).toEqual([{ type: 'ALL', rules: [], conditions: [{ property_: 'org_id', operator: 'PERCENTAGE_SPLIT', value: '12.5' }] }]);
    const down = await cliJson<ChangeJson>(dir, ['percent', 'gastown', '5', ...ACTOR]);
    expect(down.after.percentage).toEqual({ value: 5, by: 'org' });
    expect(down.notes.join(' ')).toContain('ramping down from 12.5% removes the identities bucketed above 5');
    expect(await cliJson<ChangeJson>(dir, ['percent', 'gastown', '0', ...ACTOR])).toMatchObject({ after: { percentage: { value: 0 } } });
    expect(await cliJson<ChangeJson>(dir, ['percent', 'gastown', '100', ...ACTOR])).toMatchObject({ after: { percentage: { value: 100 } } });
  });

  it('kill and revive toggle only the kill-switch, so revive restores the exact stage', async () => {
    const dir = project('cli-kill');
    await cliJson(dir, ['allow', 'gastown', '--org', 'acme', ...ACTOR]);
    await cliJson(dir, ['percent', 'gastown', '30', ...ACTOR]);
    await cliJson(dir, ['stage', 'gastown', 'percentage', ...ACTOR]);
    const before = (await statusOf(dir, 'gastown')) as FlagStatus;
    const killed = await cliJson<ChangeJson>(dir, ['kill', 'gastown', '--reason', 'dispatch errors', ...ACTOR]);
    expect(killed.after).toEqual({ ...killed.before, killed: true });
    const statuses = (await cliJson<{ flags: FlagStatus[] }>(dir, ['status'])).flags;
    expect(statuses.map((row) => row.killedBy)).toEqual(['gastown', 'gastown', 'gastown', 'gastown', 'gastown']);
    expect((await cli(dir, ['status'])).stdout).toMatch(/convoys\s+gastown\s+admin-only\s+via gastown/);
    const again = await cliJson<ChangeJson>(dir, ['kill', 'gastown', ...ACTOR]);
    expect(again.changed).toBe(false);
    const revived = await cliJson<ChangeJson>(dir, ['revive', 'gastown', ...ACTOR]);
    expect(revived.after).toEqual({ ...killed.before, killed: false });
    expect(revived.notes).toEqual(['gastown is back at stage percentage']);
    const after = (await statusOf(dir, 'gastown')) as FlagStatus;
    expect({ ...after, lastChange: null }).toEqual({ ...before, lastChange: null });
  });

  it('explain prints the trace and --json the policy explanation', async () => {
    const dir = project('cli-explain');
    await cliJson(dir, ['allow', 'gastown', '--user', 'u1', ...ACTOR]);
    await cliJson(dir, ['stage', 'gastown', 'allowlist', ...ACTOR]);
    const human = await cli(dir, ['explain', 'gastown', '--user', 'u1', '--org', 'acme']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^gastown for user u1 \(org acme\): ALLOWED \(allowlist\)\n/);
    expect(human.stdout).toMatch(/4\s+backend\s+allow\s+enabled by segment flagstage_gastown_allowlist at stage allowlist/);
    const json = await cliJson<{ decision: { allowed: boolean; reason: string }; steps: { rule: string }[] }>(dir, ['explain', 'gastown', '--user', 'stranger']);
    expect(json.decision).toMatchObject({ allowed: false, reason: 'not-enabled' });
    expect(json.steps.map((step) => step.rule)).toEqual(['parent', 'admin', 'kill-switch', 'backend']);
    const admin = await cliJson<{ decision: { reason: string } }>(dir, ['explain', 'convoys', '--user', 'boss', '--admin']);
    expect(admin.decision.reason).toBe('admin');
    const subFlag = await cliJson<{ decision: { reason: string }; parent: { flag: string } }>(dir, ['explain', 'convoys', '--user', 'stranger']);
    expect(subFlag).toMatchObject({ decision: { reason: 'parent' }, parent: { flag: 'gastown' } });

    const file = join(dir, 'people.jsonl');
    writeFileSync(file, ['{"userId":"u1"}', '', '{"userId":"x","orgId":"acme","isAdmin":false}', '{"userId":"boss","isAdmin":true}'].join('\n'));
    const lines = await cli(dir, ['explain', 'gastown', '--users-file', file]);
    expect(lines.stdout.trim().split('\n').map((line) => JSON.parse(line) as { userId: string; reason: string })).toMatchObject([
      { userId: 'u1', allowed: true, reason: 'allowlist', flag: 'gastown', stage: 'allowlist' },
      { userId: 'x', allowed: false, reason: 'not-enabled' },
      { userId: 'boss', allowed: true, reason: 'admin' },
    ]);
    writeFileSync(file, '{"userId":"u1"}\n{"user":"x"}\n');
    const bad = await cli(dir, ['explain', 'gastown', '--users-file', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/people\.jsonl:2: "userId" must be a non-empty string/);
    expect(bad.stdout).toBe('');
  });

  it('colours only on a terminal', async () => {
    const dir = project('cli-tty');
    let stdout = '';
    const code = await runCli(['status'], { cwd: dir, env: {}, stdout: (text) => (stdout += text), stderr: () => undefined, isTTY: true });
    expect(code).toBe(0);
    expect(stdout).toContain('\u001b[2madmin-only\u001b[0m');
    // Columns stay aligned: colour codes do not count towards widths.
    const lines = stdout.split('\n').slice(1, 3).map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(lines[0]?.indexOf('STAGE')).toBe(lines[1]?.indexOf('admin-only'));
  });

  it('a broken document is a backend failure: exit 2 with the cause', async () => {
    const dir = project('cli-broken');
    await cli(dir, ['status']);
    writeFileSync(join(dir, '.flagstage/environment.json'), '{"api_key": ');
    const result = await cli(dir, ['stage', 'gastown', 'ga', ...ACTOR]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^flagstage: .*environment\.json is not valid JSON/);
  });

  it('provision completes the document after the manifest grows, and is idempotent', async () => {
    const dir = project('cli-provision');
    const first = await cliJson<{ created: string[] }>(dir, ['provision']);
    expect(first.created).toContain('feature gastown_kill_switch');
    expect(first.created).toContain('override flagstage_admins -> pr_merge');
    expect((await cliJson<{ created: string[] }>(dir, ['provision'])).created).toEqual([]);
    const config = join(dir, 'flags.config.ts');
    writeFileSync(config, readFileSync(config, 'utf8').replace('molecules: {', "billing: { description: 'Billing' },\n  molecules: {"));
    const grown = await cliJson<{ created: string[] }>(dir, ['provision']);
    expect(grown.created).toEqual(['feature billing', 'feature billing_kill_switch', 'segment flagstage_billing_allowlist', 'override flagstage_admins -> billing', 'override flagstage_billing_allowlist -> billing']);
  });

  it('has complete help for every command', async () => {
    const dir = project('cli-help');
    const overview = await cli(dir, ['--help']);
    expect(overview.code).toBe(0);
    const names = ['codegen', 'status', 'stage', 'allow', 'disallow', 'percent', 'kill', 'revive', 'explain', 'audit', 'provision', 'serve'];
    for (const name of names) expect(overview.stdout).toMatch(new RegExp(`\\n  ${name}\\s+\\S`));
    expect(overview.stdout).toContain('FLAGSMITH_ADMIN_API_KEY');
    for (const name of names) {
      const help = await cli(dir, [name, '--help']);
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toMatch(new RegExp(`^Usage: flagstage ${name}`));
      if (name !== 'codegen') expect(help.stdout, name).toContain('--json');
      if (['stage', 'allow', 'disallow', 'percent', 'kill', 'revive'].includes(name)) {
        expect(help.stdout, name).toContain('--reason TEXT');
        expect(help.stdout, name).toContain('--actor NAME');
      }
    }
  });
});
