import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { BackendError } from '../../io';

/** How long to wait for the lock, and when a lock left behind counts as abandoned. */
export interface LockOptions {
  readonly timeoutMs?: number;
  /** A lock older than this is abandoned even if its process cannot be checked (another host). */
  readonly staleMs?: number;
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
  const token = await acquire(path, options.timeoutMs ?? 30_000, options.staleMs ?? 15_000);
  try {
    return await fn();
  } finally {
    release(path, token);
  }
}

async function acquire(path: string, timeoutMs: number, staleMs: number): Promise<string> {
  const token = randomBytes(12).toString('hex');
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  for (;;) {
    if (tryCreate(path, token)) return token;
    if (isAbandoned(path, staleMs)) breakLock(path, staleMs);
    if (Date.now() > deadline) {
      const holder = readHolder(path);
      throw new BackendError(
        `${path} is held${holder ? ` by pid ${holder.pid} on ${holder.host}` : ''} for more than ${Math.round(timeoutMs / 1000)} s; ` +
          `if no flagstage command is running, delete ${path}`,
      );
    }
    await sleep(wait + Math.random() * wait);
    wait = Math.min(wait * 2, 50);
  }
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
  if (holder.host === hostname() && !alive(holder.pid)) return true;
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
