import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { BackendError } from '../../io';

/** How long to wait for the lock, and when a lock left behind counts as abandoned. */
export interface LockOptions {
  readonly timeoutMs?: number;
  /**
   * A lock from another host (whose process cannot be checked) older than this is abandoned. A lock
   * of this host is abandoned only when its process is gone: a live writer (paused, suspended,
   * starved) keeps its lock however long it takes, or it would rename a stale document over newer ones.
   */
  readonly staleMs?: number;
  /** Told once, after a second of waiting, why the command waits (who holds the lock). */
  readonly onWait?: (message: string) => void;
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL, so exactly one process wins).
 * Waiters retry with jitter. A lock whose process is gone (same host) or that is older than
 * `staleMs` is broken, under a second lock so two waiters cannot both break it and then both win.
 *
 * @example
 * ```ts
 * await withLock('.flagstage/environment.json.lock', async () => { write(); });
 * ```
 */
export async function withLock<T>(path: string, fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
  const token = await acquire(path, options.timeoutMs ?? 30_000, options.staleMs ?? 15_000, options.onWait);
  try {
    return await fn();
  } finally {
    release(path, token);
  }
}

async function acquire(path: string, timeoutMs: number, staleMs: number, onWait: ((message: string) => void) | undefined): Promise<string> {
  const token = randomBytes(12).toString('hex');
  mkdirSync(dirname(path), { recursive: true });
  const started = Date.now();
  const deadline = started + timeoutMs;
  let told = false;
  let wait = 2;
  for (;;) {
    if (tryCreate(path, token)) return token;
    if (isAbandoned(path, staleMs)) breakLock(path, staleMs);
    if (!told && onWait !== undefined && Date.now() - started >= 1_000) {
      told = true;
      onWait(`waiting for ${path}: ${describeHolder(readHolder(path))} is changing the flags; this command goes on when it finishes (at most ${Math.round(timeoutMs / 1000)} s)`);
    }
    if (Date.now() > deadline) {
      const holder = readHolder(path);
      const live = holder !== null && holder.host === hostname() && alive(holder.pid);
      throw new BackendError(
        `${path} is held by ${describeHolder(holder)} for more than ${Math.round(timeoutMs / 1000)} s; ` +
          (live
            ? `that process is still running (paused or stuck?): let it finish, or stop it (kill ${holder.pid}) and run this command again`
            : `if no flagstage command is running, delete ${path}`),
      );
    }
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 50);
  }
}

/**
 * The lock options of a backend: `FLAGSTAGE_LOCK_TIMEOUT_MS` (default 30 s) and where to say why it waits.
 *
 * @example
 * ```ts
 * await withLock(path, write, lockOptions(options));
 * ```
 */
export function lockOptions(options: { readonly env: Readonly<Record<string, string | undefined>>; readonly notify?: ((message: string) => void) | undefined }): LockOptions {
  const timeout = Number(options.env.FLAGSTAGE_LOCK_TIMEOUT_MS);
  return { ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout } : {}), ...(options.notify ? { onWait: options.notify } : {}) };
}

function tryCreate(path: string, token: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new BackendError(`cannot create the lock ${path}: ${(error as Error).message}`);
  }
  try {
    const holder: Holder = { pid: process.pid, host: hostname(), token };
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

function release(path: string, token: string): void {
  // Only remove our own lock: if it was (wrongly) broken meanwhile, the file is someone else's now.
  if (readHolder(path)?.token === token) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
}

function isAbandoned(path: string, staleMs: number): boolean {
  let age: number;
  try {
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return false;
  }
  const holder = readHolder(path);
  // An empty or unreadable file is a holder that died between creating and writing it.
  if (holder === null) return age > 1_000;
  // This host: the process decides, never the age (a paused writer is alive and will write).
  if (holder.host === hostname()) return !alive(holder.pid);
  return age > staleMs;
}

function breakLock(path: string, staleMs: number): void {
  const breaker = `${path}.break`;
  const token = randomBytes(12).toString('hex');
  if (!tryCreate(breaker, token)) {
    // Someone else is breaking it; a breaker that died is itself broken after staleMs.
    try {
      if (Date.now() - statSync(breaker).mtimeMs > staleMs) unlinkSync(breaker);
    } catch {
      // Gone already.
    }
    return;
  }
  try {
    // Re-check under the breaker: the lock may have been released and re-taken meanwhile.
    if (isAbandoned(path, staleMs)) unlinkSync(path);
  } catch {
    // Released meanwhile.
  } finally {
    release(breaker, token);
  }
}

function describeHolder(holder: Holder | null): string {
  return holder === null ? 'another flagstage command' : `pid ${holder.pid} on ${holder.host}`;
}

function readHolder(path: string): Holder | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.token === 'string' ? { pid: value.pid, host: String(value.host), token: value.token } : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
