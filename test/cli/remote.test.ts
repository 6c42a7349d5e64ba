// The CLI's remote backend against the real control plane run by `flagstage serve`'s code (workerd
// through Miniflare, SQLite Durable Object persisted in the project's .flagstage/): the whole
// rollout with explain --users-file agreeing with the stage semantics, the same output as the local
// backend, history and rollback, and a restart on the same state directory losing nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlagStatus } from '../../cli/commands/status';
import { startControlPlane, type RunningControlPlane } from '../../cli/serve/control';
import { cli } from '../helpers/cli';
import { cliDecisions, cliJson, manifest, population, project } from './support';

const dir = project('cli-remote');
const twin = project('cli-remote-twin'); // the same commands on the local backend
let plane: RunningControlPlane;
let remote: Record<string, string>;

async function start(port = 0): Promise<void> {
  plane = await startControlPlane({ manifest, stateDir: join(dir, '.flagstage'), environment: 'development', environmentKey: 'ser.remote-test-key', host: '127.0.0.1', port, webhooks: [] });
  remote = { FLAGSTAGE_URL: plane.url, FLAGSTAGE_TOKEN: plane.token };
}

beforeAll(() => start(), 120_000);
afterAll(async () => plane?.stop());

/** Runs one change on both backends; both must succeed with the same text (revisions aside). */
async function both(...args: string[]): Promise<string> {
  const onRemote = await cli(dir, args, remote);
  const onLocal = await cli(twin, [...args, '--actor', 'twin']);
  expect(onRemote.code, onRemote.stderr).toBe(0);
  expect(onLocal.code, onLocal.stderr).toBe(0);
  const plain = (text: string) => text.replace(/ \(revision [^)]*\)/g, '');
  expect(plain(onRemote.stdout)).toBe(plain(onLocal.stdout));
  return onRemote.stdout;
}

const people = population();
const usersFile = join(dir, 'people.jsonl');
writeFileSync(usersFile, `${people.map((identity) => JSON.stringify(identity)).join('\n')}\n`);

describe('the remote backend (flagstage serve)', () => {
  it('runs the whole rollout with the same output as local; explain --users-file follows each stage', async () => {
    const allowed = async () => (await cliDecisions(dir, 'gastown', usersFile, remote)).map((decision) => decision.allowed);
    const listed = (identity: (typeof people)[number]) => identity.isAdmin || identity.userId === 'u1' || identity.orgId === 'acme';

    await both('allow', 'gastown', '--user', 'u1', '--org', 'acme', '--reason', 'design partners');
    expect(await allowed()).toEqual(people.map((identity) => identity.isAdmin));
    await both('stage', 'gastown', 'allowlist', '--reason', 'beta');
    expect(await allowed()).toEqual(people.map(listed));
    await both('percent', 'gastown', '30', '--reason', 'ramp');
    await both('stage', 'gastown', 'percentage', '--reason', 'ramp');
    const thirty = await allowed();
    const share30 = thirty.filter(Boolean).length / people.length;
    expect(share30).toBeGreaterThan(0.2);
    expect(share30).toBeLessThan(0.42);
    await both('percent', 'gastown', '60', '--reason', 'flat error rate');
    const sixty = await allowed();
    thirty.forEach((was, i) => was && expect(sixty[i]).toBe(true));
    await both('kill', 'gastown', '--reason', 'incident');
    expect(await allowed()).toEqual(people.map((identity) => identity.isAdmin));
    await both('revive', 'gastown', '--reason', 'fixed');
    expect(await allowed()).toEqual(sixty);
    await both('stage', 'gastown', 'ga', '--reason', 'done');
    expect((await allowed()).every(Boolean)).toBe(true);

    // The same state on both backends (the environments' keys differ, so buckets are compared by semantics above).
    const strip = (rows: FlagStatus[]) => rows.map(({ lastChange: _lastChange, ...row }) => row);
    const remoteStatus = await cliJson<{ backend: string; flags: FlagStatus[] }>(dir, ['status'], remote);
    const localStatus = await cliJson<{ flags: FlagStatus[] }>(twin, ['status']);
    expect(remoteStatus.backend).toBe('remote');
    expect(strip(remoteStatus.flags)).toEqual(strip(localStatus.flags));
    expect(remoteStatus.flags.find((row) => row.flag === 'gastown')?.lastChange).toMatchObject({ actor: 'token:local-owner', reason: 'done' });

    const audit = await cliJson<{ entries: { command: string; actor: string; backend: string }[] }>(dir, ['audit', '--flag', 'gastown'], remote);
    expect(audit.entries.map((entry) => entry.command)).toEqual(['allow', 'stage', 'percent', 'stage', 'percent', 'kill', 'revive', 'stage']);
    expect(new Set(audit.entries.map((entry) => `${entry.backend} ${entry.actor}`))).toEqual(new Set(['remote token:local-owner']));
  }, 180_000);

  it('refuses like local: a change without a reason, an unknown flag, a bad token', async () => {
    const noReason = await cli(dir, ['kill', 'gastown'], remote);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toMatch(/--reason/);
    const unknown = await cli(dir, ['stage', 'gastwon', 'ga', '--reason', 'r'], remote);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/did you mean gastown/);
    const forged = await cli(dir, ['status'], { ...remote, FLAGSTAGE_TOKEN: 'fst_forged' });
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/FLAGSTAGE_TOKEN/);
    const unreachable = await cli(dir, ['status'], { ...remote, FLAGSTAGE_URL: 'http://127.0.0.1:1' });
    expect(unreachable.code).toBe(2);
  });

  it('history lists every revision; rollback restores one exactly and is audited', async () => {
    const history = await cliJson<{ revisions: { revision: number; command: string; reason: string | null; flags: string[] }[] }>(dir, ['history', 'gastown'], remote);
    expect(history.revisions.map((revision) => revision.reason)).toEqual(['design partners', 'beta', 'ramp', 'ramp', 'flat error rate', 'incident', 'fixed', 'done']);
    const killedAt = history.revisions.find((revision) => revision.reason === 'incident');
    expect(killedAt).toBeDefined();

    const text = await cli(dir, ['history'], remote);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/REVISION\s+TIME\s+ACTOR\s+COMMAND\s+FLAGS\s+REASON/);

    const refused = await cli(dir, ['rollback', String(killedAt?.revision)], remote);
    expect(refused.code).toBe(1);
    const rolled = await cliJson<{ changed: boolean; revision: number; entries: { flag: string; command: string }[] }>(dir, ['rollback', String(killedAt?.revision), '--reason', 'back to the incident state'], remote);
    expect(rolled.changed).toBe(true);
    expect(rolled.entries.map((entry) => [entry.flag, entry.command])).toEqual([['gastown', 'rollback']]);
    const status = await cliJson<{ flags: FlagStatus[] }>(dir, ['status'], remote);
    expect(status.flags.find((row) => row.flag === 'gastown')).toMatchObject({ stage: 'percentage', killed: true, percentage: { value: 60, by: 'user' } });

    const local = await cli(twin, ['history']);
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/needs the control plane/);
  });

  it('a restart on the same state directory loses nothing', async () => {
    const before = await cliJson<{ revision: string; flags: FlagStatus[] }>(dir, ['status'], remote);
    const history = await cliJson<{ revisions: unknown[] }>(dir, ['history'], remote);
    const audit = await cliJson<{ entries: unknown[] }>(dir, ['audit'], remote);
    const token = plane.token;
    const ingestKey = plane.ingestKey;
    expect(ingestKey).toMatch(/^ing\.[\w-]{40,}$/);
    await plane.stop();
    await start(Number(new URL(plane.url).port));
    expect(plane.token).toBe(token);
    // Apps reporting outcomes keep working across restarts: the same ingest key, still taken.
    expect(plane.ingestKey).toBe(ingestKey);
    const outcomes = await fetch(`${plane.url}/v1/environments/development/outcomes`, { method: 'POST', headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ sampleRate: 1, outcomes: [] }) });
    expect(outcomes.status).toBe(202);
    expect(await cliJson(dir, ['status'], remote)).toEqual(before);
    expect(await cliJson(dir, ['history'], remote)).toEqual(history);
    expect(await cliJson(dir, ['audit'], remote)).toEqual(audit);
  }, 120_000);
});
