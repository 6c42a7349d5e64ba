import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../cli/audit/entry';
import type { FlagStatus } from '../../cli/commands/status';
import { createFlagstage } from '../../runtime/flagstage';
import { flagsmithSource } from '../../runtime/sources/flagsmith';
import { cli } from '../helpers/cli';
import { startFakeFlagsmith, type FakeFlagsmith } from './fake-flagsmith/server';
import { scriptedRollout } from './scripted-rollout';
import { ACTOR, cliJson, manifest, project } from './support';

let fake: FakeFlagsmith;
const ENVIRONMENT = 'DevEnvKey0000000000001';

function envFor(server: FakeFlagsmith): Record<string, string> {
  return {
    FLAGSMITH_API_URL: server.url,
    FLAGSMITH_ADMIN_API_KEY: server.apiKey,
    FLAGSMITH_PROJECT_ID: String(server.state.project.id),
    FLAGSMITH_ENVIRONMENT_KEY: ENVIRONMENT,
  };
}

beforeAll(async () => {
  fake = await startFakeFlagsmith({ maxPageSize: 3 });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  // Every request flagstage sent, and every answer the fake gave, validated against the Admin API spec.
  expect(fake.violations).toEqual([]);
});

describe('flagstage on the flagsmith backend (against a fake validated by the Admin API OpenAPI)', () => {
  it('provision creates features, kill-switches, segments and overrides, idempotently', async () => {
    const dir = project('fs-provision');
    const env = envFor(fake);
    const first = await cliJson<{ backend: string; created: string[] }>(dir, ['provision'], env);
    expect(first.backend).toBe('flagsmith');
    expect(first.created).toEqual([
      'segment flagstage_admins',
      'feature gastown',
      'feature gastown_kill_switch',
      'segment flagstage_gastown_allowlist',
      'override flagstage_admins -> gastown',
      'override flagstage_gastown_allowlist -> gastown',
      'feature convoys',
      'segment flagstage_convoys_allowlist',
      'override flagstage_admins -> convoys',
      'override flagstage_convoys_allowlist -> convoys',
      'feature pr_merge',
      'segment flagstage_pr_merge_allowlist',
      'override flagstage_admins -> pr_merge',
      'override flagstage_pr_merge_allowlist -> pr_merge',
      'feature multi_rig',
      'segment flagstage_multi_rig_allowlist',
      'override flagstage_admins -> multi_rig',
      'override flagstage_multi_rig_allowlist -> multi_rig',
      'feature molecules',
      'segment flagstage_molecules_allowlist',
      'override flagstage_admins -> molecules',
      'override flagstage_molecules_allowlist -> molecules',
    ]);
    const calls = fake.calls.length;
    const second = await cliJson<{ created: string[]; existing: string[] }>(dir, ['provision'], env);
    expect(second.created).toEqual([]);
    expect(second.existing).toHaveLength(first.created.length);
    // The second run only reads.
    expect(fake.calls.slice(calls).every((call) => call.startsWith('GET '))).toBe(true);

    const status = await cliJson<{ backend: string; flags: FlagStatus[] }>(dir, ['status'], env);
    expect(status.flags.map((row) => [row.flag, row.stage, row.killed])).toEqual([
      ['gastown', 'admin-only', false],
      ['convoys', 'admin-only', false],
      ['prMerge', 'admin-only', false],
      ['multiRig', 'admin-only', false],
      ['molecules', 'admin-only', false],
    ]);
  });

  it('runs the scripted rollout: one audit entry per change, explain agrees with the runtime on flagsmithSource', async () => {
    const dir = project('fs-rollout');
    const env = envFor(fake);
    const source = flagsmithSource({ apiUrl: fake.apiUrl, environmentKey: 'ser.dev-server-key', ttlMs: 1, maxStaleMs: 60_000, timeoutMs: 5_000 });
    const flags = createFlagstage({ manifest, source });
    await scriptedRollout(dir, env, async () => {
      await source.refresh();
      return flags;
    });
    flags.close();
    const used = new Set(fake.calls);
    expect([...used].sort()).toEqual([
      'GET /api/v1/environment-document/',
      'GET /api/v1/environments/{api_key}/',
      'GET /api/v1/environments/{api_key}/document/',
      'GET /api/v1/features/feature-segments/',
      'GET /api/v1/features/featurestates/',
      'GET /api/v1/projects/{project_pk}/audit/',
      'GET /api/v1/projects/{project_pk}/features/',
      'GET /api/v1/projects/{project_pk}/segments/',
      'PATCH /api/v1/environments/{environment_api_key}/featurestates/{id}/',
      'PATCH /api/v1/features/featurestates/{id}/',
      'POST /api/v1/features/feature-segments/',
      'POST /api/v1/features/featurestates/',
      'POST /api/v1/projects/{project_pk}/features/',
      'POST /api/v1/projects/{project_pk}/segments/',
      'PUT /api/v1/projects/{project_pk}/segments/{id}/',
    ]);

    // Flagsmith's own audit log is read back too.
    const audit = await cliJson<{ entries: AuditEntry[]; flagsmith: { log: string }[] }>(dir, ['audit'], env);
    expect(audit.entries).toHaveLength(8);
    expect(audit.flagsmith.map((entry) => entry.log)).toContain('Segment updated: flagstage_gastown_allowlist');
    const human = await cli(dir, ['audit'], env);
    expect(human.stdout).toContain("Flagsmith's audit log");
  });

  it('splits a long allowlist within Flagsmith limits, and puts overrides back in priority order', async () => {
    const dir = project('fs-limits');
    const env = envFor(fake);
    await cliJson(dir, ['provision'], env);
    const many = Array.from({ length: 2_500 }, (_, index) => `user-${String(index).padStart(31, '0')}`);
    const big = await cli(dir, ['allow', 'multiRig', '--user', many.join(','), ...ACTOR], env);
    expect(big.code, big.stderr).toBe(0);
    const segment = fake.state.segments.find((candidate) => candidate.name === 'flagstage_multi_rig_allowlist');
    const conditions = segment?.rules.flatMap((rule) => rule.conditions) ?? [];
    expect(conditions.length).toBeGreaterThan(90);
    expect(conditions.length).toBeLessThanOrEqual(100);
    expect((await cliJson<{ flags: FlagStatus[] }>(dir, ['status'], env)).flags.find((row) => row.flag === 'multiRig')?.allowlist).toEqual({ users: 2_500, orgs: 0 });

    // Someone reordered the overrides in the dashboard: the next change restores admins first.
    const feature = fake.state.features.find((candidate) => candidate.name === 'multi_rig');
    const ours = fake.state.featureSegments.filter((fs) => fs.feature === feature?.id);
    ours.forEach((fs, index) => {
      fs.priority = ours.length - index;
    });
    const calls = fake.calls.length;
    expect((await cli(dir, ['stage', 'multiRig', 'allowlist', '--force', ...ACTOR], env)).code).toBe(0);
    expect(fake.calls.slice(calls)).toContain('POST /api/v1/features/feature-segments/update-priorities/');
    const document = fake.document(ENVIRONMENT) as { project: { segments: { name: string; feature_states: { feature: { name: string }; feature_segment: { priority: number } }[] }[] } };
    const priorities = document.project.segments.flatMap((candidate) =>
      candidate.feature_states.filter((state) => state.feature.name === 'multi_rig').map((state) => [candidate.name, state.feature_segment.priority]),
    );
    expect(priorities.sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      ['flagstage_admins', 0],
      ['flagstage_multi_rig_allowlist', 1],
    ]);
  });

  it('user errors exit 1 naming the fix; Flagsmith failures exit 2 with its message; state untouched', async () => {
    const dir = project('fs-errors');
    const env = envFor(fake);
    for (const name of ['FLAGSMITH_ADMIN_API_KEY', 'FLAGSMITH_PROJECT_ID', 'FLAGSMITH_ENVIRONMENT_KEY']) {
      const result = await cli(dir, ['status', '--backend', 'flagsmith'], { ...env, [name]: undefined });
      expect(result.code, name).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^flagstage: the flagsmith backend needs ${name}: set it to .*, or use --backend local\n$`));
    }
    // A first set-up names every missing variable at once, not one per run.
    const none = await cli(dir, ['status', '--backend', 'flagsmith'], { FLAGSMITH_API_URL: env.FLAGSMITH_API_URL });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^flagstage: the flagsmith backend needs FLAGSMITH_ADMIN_API_KEY \(.*\), FLAGSMITH_PROJECT_ID \(.*\), FLAGSMITH_ENVIRONMENT_KEY \(.*\): set them, or use --backend local\n$/);
    const killSub = await cli(dir, ['kill', 'convoys', ...ACTOR], env);
    expect(killSub.code).toBe(1);
    expect(killSub.stderr).toContain('run `flagstage kill gastown`');

    const before = JSON.stringify(fake.document(ENVIRONMENT));
    fake.failNext('PATCH', /\/featurestates\/\d+\/$/, 500, { detail: 'database is read-only' });
    const failed = await cli(dir, ['stage', 'prMerge', 'admin-only', '--force', ...ACTOR], env);
    expect(failed.code).toBe(0); // nothing to change: no request is sent
    const refused = await cli(dir, ['kill', 'gastown', ...ACTOR], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^flagstage: Flagsmith refused PATCH \/api\/v1\/environments\/DevEnvKey0000000000001\/featurestates\/\d+\/: 500 \{"detail":"database is read-only"\}\n$/);
    expect(JSON.stringify(fake.document(ENVIRONMENT))).toBe(before);

    const wrongKey = await cli(dir, ['status'], { ...env, FLAGSMITH_ADMIN_API_KEY: 'not-the-key' });
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toContain('401');
    expect(wrongKey.stderr).toContain('check FLAGSMITH_ADMIN_API_KEY');

    const unreachable = await cli(dir, ['status'], { ...env, FLAGSMITH_API_URL: 'http://127.0.0.1:9/' });
    expect(unreachable.code).toBe(2);
    // Say why (undici's own message is only "fetch failed") and what to check.
    expect(unreachable.stderr).toMatch(/^flagstage: cannot reach Flagsmith at http:\/\/127\.0\.0\.1:9\/api\/v1\/ \(GET .*\): fetch failed: bad port; check FLAGSMITH_API_URL and the network\n$/);
  });

  it('asks for provision when the project lacks the features', async () => {
    const empty = await startFakeFlagsmith();
    try {
      const dir = project('fs-unprovisioned');
      const result = await cli(dir, ['stage', 'gastown', 'allowlist', ...ACTOR], envFor(empty));
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('flagstage: Flagsmith project 12 has no feature "gastown"; run `flagstage provision` to create the manifest\'s features and segments\n');
      expect(empty.violations).toEqual([]);
    } finally {
      await empty.close();
    }
  });
});
