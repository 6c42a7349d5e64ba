import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../cli/audit/entry';
import { readRollout } from '../../runtime/stages/read';
import { ensureBuilt, flagstageProcess, localDocument, manifest, project } from './support';

describe('concurrent flagstage processes on the local backend', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);

  it('20 concurrent `allow` invocations lose nothing: document and audit log are complete', { timeout: 300_000 }, async () => {
    const dir = project('cli-concurrent');
    const users = Array.from({ length: 20 }, (_, index) => `user-${index}`);
    const results = await Promise.all(
      users.map((user) => flagstageProcess(dir, ['allow', 'gastown', '--user', user, '--actor', `actor-${user}`, '--reason', 'concurrency', '--json'])),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const doc = localDocument(dir);
    expect(readRollout(manifest, doc).gastown?.allowlist.users).toEqual([...users].sort());

    const entries = readFileSync(join(dir, '.flagstage/audit.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AuditEntry);
    expect(entries).toHaveLength(20);
    expect(new Set(entries.map((entry) => entry.actor))).toEqual(new Set(users.map((user) => `actor-${user}`)));
    // Serialised: each entry starts from the one before, revisions strictly increase, and each adds one user.
    entries.forEach((entry, index) => {
      expect(entry.after.allowlist.users.length).toBe(index + 1);
      if (index > 0) {
        expect(entry.before).toEqual(entries[index - 1]?.after);
        expect(Date.parse(entry.revision ?? '')).toBeGreaterThan(Date.parse(entries[index - 1]?.revision ?? ''));
      }
    });
    expect(entries.at(-1)?.revision).toBe(doc.updated_at);
    // No lock or temporary file is left behind.
    expect(readdirSync(join(dir, '.flagstage')).sort()).toEqual(['audit.jsonl', 'environment.json', 'manifest.json']);
  });

  it('a lock left by a process that died is broken, not waited on forever', async () => {
    const dir = project('cli-stale-lock');
    expect((await flagstageProcess(dir, ['status'])).code).toBe(0);
    const { writeFileSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    // pid 2^22 + 1 is above Linux's pid_max default: no such process.
    writeFileSync(join(dir, '.flagstage/environment.json.lock'), JSON.stringify({ pid: 4_194_305, host: hostname(), token: 'dead' }));
    const result = await flagstageProcess(dir, ['allow', 'gastown', '--user', 'after-crash', '--actor', 'test-runner']);
    expect(result.code, result.stderr).toBe(0);
    expect(readRollout(manifest, localDocument(dir)).gastown?.allowlist.users).toEqual(['after-crash']);
  });
});
