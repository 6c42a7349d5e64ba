import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest } from '../../codegen/index';
import type { EnvironmentDocument } from '../../runtime/engine/index';
import { createFlagstage } from '../../runtime/flagstage';
import type { Identity } from '../../runtime/identity';
import { staticSource } from '../../runtime/sources/static';
import { cli } from '../helpers/cli';
import { afterAll } from 'vitest';
import { repoRoot } from '../helpers/tmp';

const made: string[] = [];
// Registered when a test file imports this module, so it runs after that file's tests (a hook
// registered inside a test, as tempDir's would be, never runs).
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory with Gastown's manifest in it (under test/.tmp, so `flagstage` resolves to this package), removed after the file's tests. */
export function project(prefix: string): string {
  mkdirSync(join(repoRoot, 'test/.tmp'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, 'test/.tmp', `${prefix}-`));
  made.push(dir);
  copyFileSync(join(repoRoot, 'flags.config.ts'), join(dir, 'flags.config.ts'));
  return dir;
}

export const manifest = loadManifest({ cwd: repoRoot });

/** The actor every test change is made as, so no test depends on the machine's git config. */
export const ACTOR = ['--actor', 'test-runner'];

/** Runs the CLI in-process and parses its JSON output (the command must succeed). */
export async function cliJson<T>(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<T> {
  const result = await cli(cwd, [...args, '--json'], env);
  if (result.code !== 0) throw new Error(`flagstage ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** A population covering every path of the policy: listed users, an org's members, admins, strangers. */
export function population(): Identity[] {
  const people: Identity[] = [
    { userId: 'u1', orgId: null, isAdmin: false },
    { userId: 'u2', orgId: 'other', isAdmin: false },
    { userId: 'u3', isAdmin: false },
    { userId: 'acme-member-1', orgId: 'acme', isAdmin: false },
    { userId: 'acme-member-2', orgId: 'acme', isAdmin: false },
    { userId: 'boss', orgId: null, isAdmin: true },
  ];
  for (let index = 0; index < 300; index += 1) people.push({ userId: `user-${index}`, orgId: `org-${index % 17}`, isAdmin: false });
  return people;
}

/** The runtime's decisions for each identity on a document: what `explain --users-file` must equal. */
export async function runtimeDecisions(document: EnvironmentDocument, flag: string, people: readonly Identity[]) {
  const flags = createFlagstage({ manifest, source: staticSource(document) });
  const out: unknown[] = [];
  for (const identity of people) out.push({ ...(await flags.decide(flag, identity)), userId: identity.userId });
  return out;
}

/** `explain <flag> --users-file` through the CLI, parsed. */
export async function cliDecisions(cwd: string, flag: string, file: string, env: Record<string, string | undefined> = {}) {
  const result = await cli(cwd, ['explain', flag, '--users-file', file], env);
  if (result.code !== 0) throw new Error(`explain exited ${result.code}: ${result.stderr}`);
  return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { allowed: boolean; reason: string; userId: string });
}

/** The local backend's document, as the runtime's fileSource would read it. */
export function localDocument(cwd: string): EnvironmentDocument {
  return JSON.parse(readFileSync(join(cwd, '.flagstage/environment.json'), 'utf8')) as EnvironmentDocument;
}

/** Builds dist/ (`npm run build`) unless it is newer than every CLI and runtime source. */
export async function ensureBuilt(): Promise<void> {
  const entry = join(repoRoot, 'dist/cli/main.js');
  const newest = Math.max(...['cli', 'runtime', 'codegen'].map((dir) => newestMtime(join(repoRoot, dir))));
  if (existsSync(entry) && statSync(entry).mtimeMs >= newest) return;
  await run('npm', ['run', 'build'], repoRoot);
}

/** Runs `node bin/flagstage.js …` as a separate process. */
export function flagstageProcess(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'bin/flagstage.js'), ...args], { cwd, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd }, (error, _stdout, stderr) => (error ? reject(new Error(`${command} ${args.join(' ')} failed: ${stderr}`)) : resolve()));
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
