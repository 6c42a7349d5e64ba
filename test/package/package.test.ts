// The published package, checked from its tarball: what it holds, that every `exports` target is in
// it, and the two linters users trust (publint, and Are the Types Wrong? for ESM-only packages).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../adapters/dist';
import { pack, type Packed } from './pack';

const workDir = mkdtempSync(join(tmpdir(), 'flagstage-pack-'));
let packed: Packed;

beforeAll(async () => {
  packed = await pack(workDir);
}, 120_000);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Every file path an `exports` value names (conditions nested at any depth). */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value.replace(/^\.\//, '')];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

describe('the npm tarball', () => {
  it('holds dist/, bin/, README, LICENSE and package.json, and nothing else', () => {
    const outside = packed.files.filter((file) => !file.startsWith('dist/') && !file.startsWith('bin/'));
    expect(outside.sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(packed.files.filter((file) => /(^|\/)(test|bench|examples)\/|\.test\.tsx?$/.test(file))).toEqual([]);
    expect(packed.files.filter((file) => file.startsWith('dist/') && !/\.(js|d\.ts)$/.test(file))).toEqual([]);
    expect(packed.files).toContain('bin/flagstage.js');
    expect(packed.files).toContain('dist/cli/main.js');
  });

  it('has every exports target, JavaScript and declarations', () => {
    const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { exports: Record<string, unknown>; sideEffects: unknown };
    expect(pkg.sideEffects).toBe(false);
    const missing = Object.values(pkg.exports).flatMap(targets).filter((target) => !packed.files.includes(target));
    expect(missing).toEqual([]);
    for (const [subpath, value] of Object.entries(pkg.exports)) {
      if (subpath === './package.json') continue;
      expect(Object.keys(value as object), subpath).toEqual(['types', 'default']);
    }
  });

  it('passes publint (strict: warnings count)', async () => {
    const tarball = readFileSync(packed.tarball);
    const { messages, pkg } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) }, strict: true, level: 'suggestion' });
    expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false }) ?? message.code}`)).toEqual([]);
  }, 60_000);

  it('passes Are the Types Wrong? for an ESM-only package (node16 ESM and bundler resolution)', async () => {
    const attw = `${repoRoot}/node_modules/@arethetypeswrong/cli/dist/index.js`;
    // attw exits 1 on a problem in the profile's resolutions (node10 and node16-cjs are not ours).
    const result = await promisify(execFile)(process.execPath, [attw, packed.tarball, '--profile', 'esm-only', '--no-emoji', '--no-color'], { cwd: workDir, maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { stdout?: string; stderr?: string; code?: number }) => ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/"flagstage\/hono"\W+OK \(ESM\)/);
  }, 120_000);
});
