import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import type { DemoReady } from '../../../examples/gastown/launcher/demo';
import { repoRoot } from '../../helpers/tmp';

/** The demo as the launcher's `--ready-file` describes it, and how to stop it. */
export interface LaunchedDemo extends DemoReady {
  /** Stops the launcher and everything it started (the whole process group). */
  stop(): Promise<void>;
}

/**
 * Runs `npm start`'s launcher as a user would (`node scripts/start.mjs`), in its own process
 * group so that stopping it reaches Next, `flagstage serve` and workerd too, and waits for the JSON
 * it writes once every server answers. The Next app is built in a copy (`--app-dir`), so a demo
 * running from the same checkout, or another test run, keeps its own build.
 */
export async function launchDemo(options: { config: string; appDir: string; readyFile: string; logFile: string; timeoutMs: number }): Promise<LaunchedDemo> {
  const log = openSync(options.logFile, 'a');
  const args = ['scripts/start.mjs', '--config', options.config, '--app-dir', options.appDir, '--ready-file', options.readyFile];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('gastown e2e: could not start the launcher');
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  // Should the test runner itself die, take the demo down with it.
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);

  const stop = async () => {
    process.off('exit', onExit);
    killGroup('SIGTERM');
    const grace = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([exit, grace]);
    // Whatever ignored SIGTERM (or outlived the launcher) goes now.
    killGroup('SIGKILL');
  };

  const deadline = Date.now() + options.timeoutMs;
  while (!existsSync(options.readyFile)) {
    if (exited || Date.now() > deadline) {
      await stop();
      const output = readFileSync(options.logFile, 'utf8').split('\n').slice(-40).join('\n');
      throw new Error(`gastown e2e: the demo ${exited ? 'exited' : 'did not become ready'}; launcher output:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const ready = JSON.parse(readFileSync(options.readyFile, 'utf8')) as DemoReady;
  return { ...ready, stop };
}
