import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
}

/**
 * Child processes of the demo. Each writes to its own log file (the terminal keeps the banner),
 * stays in the launcher's process group (so a Ctrl-C or a group kill reaches it), and is stopped
 * with everything it started (`next start`'s server, workerd under `flagstage serve`) by
 * `stopAll()` on exit.
 */
export class Processes {
  private readonly children: Child[] = [];

  start(name: string, command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Child {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    // 'close', not 'exit': the output is in the log by then, for error messages.
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const entry: Child = { name, process: child, logFile: options.logFile, exited };
    this.children.push(entry);
    return entry;
  }

  /** Runs a command to completion (a build); rejects with the end of its log when it fails. */
  async run(name: string, command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Promise<void> {
    const child = this.start(name, command, args, options);
    const code = await child.exited;
    this.children.splice(this.children.indexOf(child), 1);
    if (code !== 0) throw new Error(`gastown: ${name} failed (exit ${code}); end of ${options.logFile}:\n${tail(options.logFile)}`);
  }

  /**
   * SIGTERM every running child and every process below it, then SIGKILL what did not stop within
   * `graceMs`. The tree is collected before signalling: a grandchild whose parent exits first is
   * re-parented and could no longer be found from the child.
   */
  async stopAll(graceMs = 5_000): Promise<void> {
    const running = this.children.filter((child) => !hasExited(child));
    const tree = running.flatMap((child) => (child.process.pid === undefined ? [] : [child.process.pid, ...descendantsOf(child.process.pid)]));
    signalAll(tree, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (tree.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    signalAll(tree.filter(isAlive), 'SIGKILL');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 1_000).unref());
    await Promise.race([Promise.all(running.map((child) => child.exited)), timeout]);
  }
}

/** Every process below `pid` (children, their children, ...), from `ps` (Linux and macOS). */
export function descendantsOf(pid: number): number[] {
  let table: string;
  try {
    table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  } catch {
    return []; // no ps: the children themselves are still signalled
  }
  const children = new Map<number, number[]>();
  for (const line of table.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child === undefined || parent === undefined || Number.isNaN(child) || Number.isNaN(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Whether a process exists (a zombie awaiting its parent's wait counts as gone on Linux). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): kill(0) is the answer
  }
}

/** Whether a child has ended, by exit or by signal. */
export function hasExited(child: Child): boolean {
  return child.process.exitCode !== null || child.process.signalCode !== null;
}

/** The last lines of a log, for error messages. */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Calls `onExit` once when the process that started this one has gone (this one is re-parented,
 * so `process.ppid` changes). Polled: Node has no event for it. The timer does not keep the
 * process alive.
 */
export function onParentExit(onExit: () => void, intervalMs = 500): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onExit();
  }, intervalMs);
  timer.unref();
}
