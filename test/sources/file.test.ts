import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifest } from '../../flags.gen';
import { changeListener, type ChangeEvent } from '../../runtime/changes/index';
import { createFlagstage } from '../../runtime/flagstage';
import type { SourceError } from '../../runtime/sources/errors';
import { fileSource } from 'flagstage/file';
import { tempDir } from '../helpers/tmp';
import { gastownDocument, revisionAt, type Doc } from './documents';
import { fakeClock } from './fake-origin';

const alice = { userId: 'alice', isAdmin: false };
const admin = { userId: 'root', isAdmin: true };
const dir = tempDir('file-source');
let tick = 0;

/** Writes the file with an mtime that always moves (filesystems can have coarse mtimes). */
function write(path: string, content: Doc | string): void {
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  tick += 10;
  utimesSync(path, 1_700_000_000 + tick, 1_700_000_000 + tick);
}

function rig(name: string) {
  const path = join(dir, `${name}.json`);
  const clock = fakeClock();
  const errors: SourceError[] = [];
  const source = fileSource(path, { pollMs: 1_000, now: clock.now, onError: (error) => errors.push(error) });
  const flags = createFlagstage({ manifest, source });
  return { path, clock, errors, source, flags };
}

describe('fileSource', () => {
  it('serves the file and picks up a change at the next mtime check', async () => {
    const { path, clock, flags, source } = rig('change');
    const events: ChangeEvent[] = [];
    source.subscribe(changeListener({ manifest, console: false, onChange: (event) => void events.push(event) }));
    write(path, gastownDocument({ revision: revisionAt(1), stage: 'allowlist', allowUsers: ['alice'] }));
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true, reason: 'allowlist', revision: revisionAt(1) });

    write(path, gastownDocument({ revision: revisionAt(2), stage: 'allowlist', allowUsers: ['alice'], killed: true }));
    clock.advance(999);
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true }); // not checked yet
    clock.advance(1);
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'killed', revision: revisionAt(2) });
    expect(events.map((e) => [e.flag, e.before.killed, e.after.killed])).toEqual([['gastown', false, true]]);
  });

  it('keeps the last good document through a broken, an older and a deleted file, reporting each once', async () => {
    const { path, clock, flags, errors } = rig('faults');
    write(path, gastownDocument({ revision: revisionAt(5), stage: 'allowlist', allowUsers: ['alice'] }));
    await flags.decide('gastown', alice);
    const check = async () => {
      clock.advance(1_000);
      return flags.decide('gastown', alice);
    };
    write(path, '{"api_key": ');
    expect(await check()).toMatchObject({ allowed: true, revision: revisionAt(5) });
    expect(await check()).toMatchObject({ allowed: true, revision: revisionAt(5) });
    write(path, { ...gastownDocument({ revision: revisionAt(9) }), feature_states: 7 });
    expect(await check()).toMatchObject({ allowed: true, revision: revisionAt(5) });
    write(path, gastownDocument({ revision: revisionAt(1), stage: 'ga' }));
    expect(await check()).toMatchObject({ allowed: true, revision: revisionAt(5) });
    rmSync(path);
    expect(await check()).toMatchObject({ allowed: true, revision: revisionAt(5) });
    expect(await check()).toMatchObject({ allowed: true, revision: revisionAt(5) });
    expect(errors.map((e) => e.code)).toEqual(['invalid-json', 'invalid-document', 'older-document', 'file']);
    expect(errors.every((e) => e.message.startsWith('flagstage: '))).toBe(true);
    expect(errors[1]?.path).toMatch(/^feature_states/);
    expect(errors[3]?.message).toMatch(/ENOENT/);
    write(path, gastownDocument({ revision: revisionAt(6), stage: 'ga' }));
    expect(await check()).toMatchObject({ allowed: true, reason: 'ga', revision: revisionAt(6) });
  });

  it('without a file only admins get in', async () => {
    const { flags, errors } = rig('missing');
    expect(await flags.decide('gastown', admin)).toMatchObject({ allowed: true, reason: 'admin' });
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'no-environment' });
    expect(errors.map((e) => e.code)).toEqual(['file']);
  });
});
