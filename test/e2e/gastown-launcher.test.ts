import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot, tempDir } from '../helpers/tmp';

/** Whether any process of the group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** pid -> parent pid of every process, from /proc. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.set(Number(entry), ppid);
    } catch {
      // Gone meanwhile.
    }
  }
  return table;
}

/** `pid` and every process below it. */
function processTree(pid: number): number[] {
  const table = processTable();
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of table) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** Alive and not a zombie. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function describeProcess(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 160)}`;
  } catch {
    return `${pid} (gone)`;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

/** `npm start`'s launcher (scripts/start.mjs) on its own: how it stops and how it reports mistakes. */
describe('the npm start launcher', () => {
  test('an unknown option or a bad port is one line, exit 1, no stack trace', () => {
    for (const [args, message] of [
      [['--bogus'], /^gastown: Unknown option '--bogus'; run `npm start -- --help` for the options\n$/],
      [['--port', 'abc'], /^gastown: --port must be a port number, got abc; run `npm start -- --help` for the options\n$/],
    ] as const) {
      const result = spawnSync(process.execPath, ['scripts/start.mjs', ...args], { cwd: repoRoot, encoding: 'utf8' });
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  }, 60_000);

  // `npm start` runs the launcher through `sh -c`; a SIGTERM to npm ends npm and that shell but
  // never reaches the launcher. Here its parent dies outright (SIGKILL) while Next is building and
  // `flagstage serve` runs: the launcher must notice and stop everything it started.
  test('stops everything it started when its parent goes away, even while starting', async () => {
    const dir = tempDir('gastown-orphan');
    const config = join(dir, 'flags.config.ts');
    copyFileSync(join(repoRoot, 'flags.config.ts'), config);
    const logFile = join(dir, 'launcher.log');
    const log = openSync(logFile, 'a');
    const launcher = ['scripts/start.mjs', '--config', config, '--app-dir', join(dir, 'app')];
    // The parent: starts the launcher and idles, like npm's shell. Its own group, so that the
    // test can tell when every process below it has gone.
    const parent = spawn(process.execPath, ['-e', `require('node:child_process').spawn(process.execPath, ${JSON.stringify(launcher)}, { stdio: 'inherit' }); setInterval(() => {}, 60_000);`], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
    });
    const pgid = parent.pid!;
    try {
      // flagstage serve answers and next build runs once the worker is being started.
      const starting = await until(() => readFileSync(logFile, 'utf8').includes('Starting the worker'), 60_000);
      expect(starting, readFileSync(logFile, 'utf8')).toBe(true);
      process.kill(pgid, 'SIGKILL');
      const gone = await until(() => !groupAlive(pgid), 20_000);
      const left = spawnSync('ps', ['-eo', 'pgid=,pid=,args='], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((line) => line.trim().split(/\s+/)[0] === String(pgid))
        .join('\n');
      expect(gone, `still running:\n${left}\nlauncher output:\n${readFileSync(logFile, 'utf8')}`).toBe(true);
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  }, 120_000);

  /**
   * A signal to the launcher alone (`kill <pid>`, a closed terminal, a service manager) stops its
   * whole tree: Next's server, the flag server and its workerd, the worker's workerd. Miniflare's
   * own SIGINT/SIGTERM handler used to exit the launcher first and orphan the rest.
   */
  const demoTree = async (name: string, when: 'ready' | 'starting') => {
    const dir = tempDir(`gastown-${name}`);
    const config = join(dir, 'flags.config.ts');
    copyFileSync(join(repoRoot, 'flags.config.ts'), config);
    const logFile = join(dir, 'launcher.log');
    const readyFile = join(dir, 'ready.json');
    const log = openSync(logFile, 'a');
    const launcher = spawn(process.execPath, ['scripts/start.mjs', '--config', config, '--app-dir', join(dir, 'app'), '--ready-file', readyFile], {
      cwd: repoRoot,
      detached: true, // its own group: the test's cleanup can take down whatever a failure leaves
      stdio: ['ignore', log, log],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
    });
    const pid = launcher.pid!;
    const output = () => readFileSync(logFile, 'utf8');
    // 'starting': the worker's workerd runs (Miniflare's handlers are in place) while Next builds.
    const hasWorkerd = () => processTree(pid).some((p) => /workerd/.test(describeProcess(p)));
    const ready = when === 'ready' ? () => existsSync(readyFile) : () => output().includes('Starting the worker') && hasWorkerd() && !existsSync(readyFile);
    expect(await until(ready, 5 * 60_000), output()).toBe(true);
    const ports =
      when === 'ready'
        ? (Object.values(JSON.parse(readFileSync(readyFile, 'utf8')) as Record<string, string>)
            .map((value) => /^http:\/\/127\.0\.0\.1:(\d+)/.exec(value)?.[1])
            .filter((port): port is string => port !== undefined)
            .map(Number))
        : [];
    return { pid, output, ports, cleanup: () => groupAlive(pid) && process.kill(-pid, 'SIGKILL') };
  };

  const stopsEverything = async (signal: NodeJS.Signals, when: 'ready' | 'starting') => {
    const demo = await demoTree(`${signal.toLowerCase()}-${when}`, when);
    try {
      const tree = processTree(demo.pid);
      const names = tree.map(describeProcess).join('\n');
      // The tree holds what there is to stop: Next (once ready) and workerd.
      if (when === 'ready') expect(names, names).toMatch(/next/);
      expect(names, names).toMatch(/workerd/);
      if (when === 'ready') expect(demo.ports.length, 'the ready file names the app, worker and flag ports').toBeGreaterThanOrEqual(3);

      process.kill(demo.pid, signal);
      const gone = await until(() => !tree.some(running), 20_000);
      expect(gone, `${signal} left running:\n${tree.filter(running).map(describeProcess).join('\n')}\nlauncher output:\n${demo.output()}`).toBe(true);
      for (const port of demo.ports) expect(await portFree(port), `port ${port} still taken after ${signal}`).toBe(true);
    } finally {
      demo.cleanup();
    }
  };

  test('SIGTERM to the launcher stops every process it started, and frees the ports', () => stopsEverything('SIGTERM', 'ready'), 6 * 60_000);
  test('SIGHUP (a closed terminal) does the same', () => stopsEverything('SIGHUP', 'ready'), 6 * 60_000);
  test('SIGINT while Next is still building does the same', () => stopsEverything('SIGINT', 'starting'), 6 * 60_000);
});
