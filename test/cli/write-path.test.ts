import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../cli/audit/entry';
import { localBackend } from '../../cli/backends/local/index';
import { planAllow } from '../../cli/rollout/plan';
import { readRollout } from '../../runtime/stages/read';
import { cli } from '../helpers/cli';
import { ACTOR, cliJson, localDocument, manifest, project } from './support';

const paused: number[] = [];
afterAll(() => {
  for (const pid of paused) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
});

const auditOf = async (dir: string) => (await cliJson<{ entries: AuditEntry[] }>(dir, ['audit', '--json'])).entries;

describe('the local backend write path', () => {
  it('never breaks the lock of a live writer (paused with SIGSTOP), says why it waits, and gives up without writing', async () => {
    const dir = project('wp-paused');
    expect((await cli(dir, ['allow', 'gastown', '--user', 'first', ...ACTOR])).code).toBe(0);
    // A writer paused inside the lock: a live process of this host, its lock a minute old.
    const writer = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
    paused.push(writer.pid!);
    process.kill(writer.pid!, 'SIGSTOP');
    const lock = join(dir, '.flagstage/environment.json.lock');
    writeFileSync(lock, JSON.stringify({ pid: writer.pid, host: hostname(), token: 'paused-writer' }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);

    const waiting = await cli(dir, ['allow', 'gastown', '--user', 'second', ...ACTOR], { FLAGSTAGE_LOCK_TIMEOUT_MS: '2500' });
    expect(waiting.code).toBe(2);
    expect(waiting.stderr).toContain(`waiting for ${lock}: pid ${writer.pid} on ${hostname()} is changing the flags`);
    expect(waiting.stderr).toContain(`that process is still running (paused or stuck?)`);
    expect(existsSync(lock)).toBe(true);
    expect(readRollout(manifest, localDocument(dir)).gastown?.allowlist.users).toEqual(['first']);
  });

  it('refuses to rename over a document that moved while it held the lock', async () => {
    const dir = project('wp-moved');
    const stateDir = join(dir, '.flagstage');
    const backend = localBackend({ manifest, stateDir, env: {} });
    await backend.read();
    const path = join(stateDir, 'environment.json');
    const killed = { ...localDocument(dir) };
    await expect(
      backend.change({
        flag: 'gastown',
        command: 'allow',
        args: [],
        actor: 'slow',
        reason: null,
        plan: (state) => {
          // Another writer (whose lock was taken from it, or a hand edit) replaces the document meanwhile.
          writeFileSync(path, JSON.stringify({ ...killed, updated_at: '2099-01-01T00:00:00.000Z' }));
          return planAllow(state, 'gastown', { users: ['late'], orgs: [] });
        },
      }),
    ).rejects.toThrow(/changed while this command held its lock \(revision 2099-01-01T00:00:00.000Z, expected .*\); nothing was written/);
    expect(localDocument(dir).updated_at).toBe('2099-01-01T00:00:00.000Z');
    expect(readdirSync(stateDir).filter((name) => name.endsWith('.tmp') || name.includes('pending'))).toEqual([]);
  });

  it('repairs a crash between the document and its audit line: the kill is audited, not "no change" and lost', async () => {
    const dir = project('wp-crash');
    expect((await cli(dir, ['status'])).code).toBe(0);
    // The audit append fails after the rename (a full disk, a crash): simulated with a directory in its place.
    const auditPath = join(dir, '.flagstage/audit.jsonl');
    mkdirSync(auditPath);
    const crashed = await cli(dir, ['kill', 'gastown', '--reason', 'incident 42', ...ACTOR]);
    expect(crashed.code).toBe(2);
    expect(readRollout(manifest, localDocument(dir)).gastown?.killed).toBe(true);
    rmSync(auditPath, { recursive: true });

    const again = await cli(dir, ['kill', 'gastown', ...ACTOR]);
    expect(again.stdout).toContain('no change');
    const entries = await auditOf(dir);
    expect(entries.map((entry) => [entry.command, entry.reason, entry.after.killed])).toEqual([['kill', 'incident 42', true]]);
    expect(entries[0]?.revision).toBe(localDocument(dir).updated_at);
  });

  it('never lets a torn last audit line swallow the next entry, and removes temporary files a crash left', async () => {
    const dir = project('wp-torn');
    expect((await cli(dir, ['allow', 'gastown', '--user', 'u1', ...ACTOR])).code).toBe(0);
    const auditPath = join(dir, '.flagstage/audit.jsonl');
    writeFileSync(auditPath, `${readFileSync(auditPath, 'utf8')}{"at":"2026-01-01T00:00:00.000Z","actor":"torn`);
    const leftover = join(dir, '.flagstage/environment.json.4242.deadbeef.tmp');
    writeFileSync(leftover, '{"half": ');
    expect((await cli(dir, ['allow', 'gastown', '--user', 'u2', ...ACTOR])).code).toBe(0);
    expect((await auditOf(dir)).map((entry) => entry.after.allowlist.users)).toEqual([['u1'], ['u1', 'u2']]);
    expect(existsSync(leftover)).toBe(false);
  });

  it('names the file and the fix for a structurally corrupt document, not a JavaScript error', async () => {
    const dir = project('wp-corrupt');
    expect((await cli(dir, ['status'])).code).toBe(0);
    const path = join(dir, '.flagstage/environment.json');
    writeFileSync(path, JSON.stringify({ ...localDocument(dir), feature_states: [{ enabled: true }] }));
    for (const args of [['status'], ['allow', 'gastown', '--user', 'u1', ...ACTOR]]) {
      const result = await cli(dir, args);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `flagstage: ${path} is not a Flagsmith environment document: feature_states[0].feature needs a name and an id; restore it from history (\`git checkout -- <file>\` or a backup), or delete it and run \`flagstage provision\` to start over with every flag admin-only\n`,
      );
    }
  });
});

describe('allowlist ids and output on the local backend', () => {
  it('refuses an id Flagsmith would read as a JSON array, with exit 1 and the rule, writing nothing', async () => {
    const dir = project('wp-json-id');
    expect((await cli(dir, ['allow', 'gastown', '--user', 'u1', ...ACTOR])).code).toBe(0);
    const before = readFileSync(join(dir, '.flagstage/environment.json'), 'utf8');
    for (const id of ['["ceo"]', '[1]']) {
      const refused = await cli(dir, ['allow', 'gastown', '--user', id, ...ACTOR]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`flagstage: cannot allowlist user ${JSON.stringify(id)}: an id may not start with "[" (Flagsmith would read the list as a JSON array, not as this id)\n`);
    }
    expect(readFileSync(join(dir, '.flagstage/environment.json'), 'utf8')).toBe(before);
    // Other ids stay removable.
    expect((await cli(dir, ['disallow', 'gastown', '--user', 'u1', ...ACTOR])).code).toBe(0);
  });

  it('prints actor names, reasons and ids with their control characters escaped', async () => {
    const dir = project('wp-escape');
    const evil = 'x\u001b[2J\u001b]0;pwned\u0007';
    const changed = await cli(dir, ['allow', 'gastown', '--user', `u-${evil}`, '--actor', `mallory${evil}`, '--reason', `because${evil}`]);
    expect(changed.code, changed.stderr).toBe(0);
    const audit = await cli(dir, ['audit']);
    for (const output of [changed.stdout, audit.stdout]) {
      expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    expect(changed.stdout).toContain('u-x\\x1b[2J\\x1b]0;pwned\\x07');
    expect(audit.stdout).toContain('mallory'.concat('x\\x1b[2J'));
    expect(audit.stdout).toContain('becausex\\x1b[2J');
  });
});
