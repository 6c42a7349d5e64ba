import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { exampleDir, repoRoot } from './paths';

/** What the Next app is made of (the worker and the launcher stay where they are). */
const APP_ENTRIES = ['app', 'components', 'lib', 'shared', 'proxy.ts', 'next.config.ts', 'tsconfig.json'];

interface TsConfig {
  compilerOptions?: { paths?: Record<string, string[]> };
}

/**
 * Copies the Next app to `target` and returns it, so that a second demo (the end-to-end test
 * beside a running `npm start`, or two test runs) builds and serves its own `.next` instead of
 * replacing the one another server is using. The copy must stay inside this repository: that is
 * what resolves `flagstage/*` to this package.
 */
export function copyApp(target: string): string {
  const dir = resolve(target);
  if (relative(repoRoot, dir).startsWith('..')) throw new Error(`gastown: --app-dir must be inside ${repoRoot}, got ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of APP_ENTRIES) cpSync(join(exampleDir, entry), join(dir, entry), { recursive: true });
  // Path aliases are relative to the tsconfig (Turbopack takes them as relative even when absolute):
  // the copy's point back at the same files from where it is.
  const tsconfig = JSON.parse(readFileSync(join(exampleDir, 'tsconfig.json'), 'utf8')) as TsConfig;
  const paths = tsconfig.compilerOptions?.paths ?? {};
  for (const [alias, targets] of Object.entries(paths)) {
    paths[alias] = targets.map((path) => {
      const fromCopy = relative(dir, resolve(exampleDir, path));
      return fromCopy.startsWith('.') ? fromCopy : `./${fromCopy}`;
    });
  }
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  return dir;
}
