import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { banner } from './banner';
import { startDemo, type Demo, type DemoReady } from './demo';
import { defaultConfig } from './paths';
import { onParentExit, tail } from './processes';

const usage = `Usage: npm start [-- options]

Starts the Gastown demo: the control plane (flagstage serve), the worker in workerd and the Next
app, on free ports.

Options:
  --port N            the app's port (default: a free one)
  --config PATH       the flag manifest (default: flags.config.ts); state in .flagstage/ beside it
  --keep-state        keep .flagstage/ instead of starting from admin-only
  --ready-file PATH   write the URLs as JSON there once ready (for scripts and tests)
  --app-dir DIR       build and serve a copy of the Next app in DIR (inside the repository),
                      leaving examples/gastown/.next to a demo already running
`;

const OPTIONS = {
  port: { type: 'string' },
  config: { type: 'string' },
  'keep-state': { type: 'boolean', default: false },
  'ready-file': { type: 'string' },
  'app-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** A mistake in the options: one line and exit 1, not a stack trace. */
function usageError(problem: string): never {
  process.stderr.write(`gastown: ${problem}; run \`npm start -- --help\` for the options\n`);
  process.exit(1);
}

function parseOptions() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (error) {
    return usageError((error as Error).message.split('. ')[0] ?? String(error));
  }
}

async function main(): Promise<void> {
  const values = parseOptions();
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const appPort = values.port === undefined ? undefined : Number(values.port);
  if (appPort !== undefined && !(Number.isInteger(appPort) && appPort > 0 && appPort < 65536)) {
    usageError(`--port must be a port number, got ${values.port}`);
  }
  let starting: Promise<Demo> | null = null;
  let stopping = false;
  const aborted = new AbortController();
  // Stops the demo whether it is running or still starting (then startDemo stops what it started).
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    aborted.abort();
    const demo = await starting?.catch(() => null);
    await demo?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));
  // `npm start` runs this through `sh -c`; a SIGTERM to npm ends npm and the shell but never
  // reaches this process. Without this it would keep Next, workerd and flagstage serve running.
  onParentExit(() => void shutdown(0));

  let demo: Demo;
  try {
    starting = startDemo({
      config: resolve(values.config ?? defaultConfig),
      keepState: values['keep-state'],
      appPort,
      appDir: values['app-dir'],
      log: (line) => process.stdout.write(`${line}\n`),
      signal: aborted.signal,
    });
    demo = await starting;
  } catch (error) {
    if (stopping) return;
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return shutdown(1);
  }
  if (stopping) return;
  if (values['ready-file'] !== undefined) {
    const { appUrl, workerUrl, controlUrl, flagsApiUrl, controlToken, adminSignIn, environmentKey, config, stateDir, logsDir } = demo;
    const ready: DemoReady = { appUrl, workerUrl, controlUrl, flagsApiUrl, controlToken, adminSignIn, environmentKey, config, stateDir, logsDir };
    writeFileSync(values['ready-file'], JSON.stringify(ready), { mode: 0o600 });
  }
  process.stdout.write(banner(demo));
  void demo.crashed.then((log) => {
    if (stopping) return;
    process.stderr.write(`gastown: a server stopped unexpectedly; its log (${log}) ends with:\n${tail(log)}\n`);
    void shutdown(1);
  });
}

await main();
