import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, openSync, readFileSync } from 'node:fs';
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
  // `flagstage dev` runs: the launcher must notice and stop everything it started.
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
      // flagstage dev answers and next build runs once the worker is being started.
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
});
