import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

/**
 * A temporary directory inside the repository (under test/.tmp, ignored by git), so that files in it
 * resolve `flagstage` to this package like an app that depends on it. Removed after the file's tests.
 */
export function tempDir(prefix: string): string {
  mkdirSync(join(root, 'test/.tmp'), { recursive: true });
  const dir = mkdtempSync(join(root, 'test/.tmp', `${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const repoRoot = root;
