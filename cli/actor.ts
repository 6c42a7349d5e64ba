import { execFileSync } from 'node:child_process';

/**
 * Who is making a change, for the audit log: `--actor`, else the git user of the working copy,
 * else `$USER` (or `%USERNAME%`), else `unknown`.
 *
 * @example
 * ```ts
 * resolveActor(undefined, { cwd: process.cwd(), env: process.env }); // 'Ada Lovelace'
 * ```
 */
export function resolveActor(explicit: string | undefined, io: { readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>> }): string {
  if (explicit !== undefined && explicit.trim() !== '') return explicit.trim();
  try {
    const name = execFileSync('git', ['config', 'user.name'], { cwd: io.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 }).trim();
    if (name !== '') return name;
  } catch {
    // No git, not a repository, or no user.name: fall through to the login name.
  }
  return io.env.USER?.trim() || io.env.USERNAME?.trim() || 'unknown';
}
