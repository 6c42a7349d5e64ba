import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { banner } from './banner';
import { startDemo, type Demo } from './demo';
import { defaultConfig } from './paths';
import { tail } from './processes';

const usage = `Usage: npm start [-- options]

Starts the Gastown demo: flagstage dev, the worker in workerd and the Next app, on free ports.

Options:
  --port N            the app's port (default: a free one)
  --config PATH       the flag manifest (default: flags.config.ts); state in .flagstage/ beside it
  --keep-state        keep .flagstage/ instead of starting from admin-only
  --ready-file PATH   write the URLs as JSON there once ready (for scripts and tests)
  --app-dir DIR       build and serve a copy of the Next app in DIR (inside the repository),
                      leaving examples/gastown/.next to a demo already running
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      config: { type: 'string' },
      'keep-state': { type: 'boolean', default: false },
      'ready-file': { type: 'string' },
      'app-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const appPort = values.port === undefined ? undefined : Number(values.port);
  if (appPort !== undefined && !(Number.isInteger(appPort) && appPort > 0 && appPort < 65536)) {
    throw new Error(`gastown: --port must be a port number, got ${values.port}`);
  }
  let demo: Demo | null = null;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await demo?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    demo = await startDemo({
      config: resolve(values.config ?? defaultConfig),
      keepState: values['keep-state'],
      appPort,
      appDir: values['app-dir'],
      log: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return shutdown(1);
  }
  if (stopping) return demo.stop();
  if (values['ready-file'] !== undefined) {
    const { appUrl, workerUrl, flagsApiUrl, config, stateDir, logsDir } = demo;
    writeFileSync(values['ready-file'], JSON.stringify({ appUrl, workerUrl, flagsApiUrl, config, stateDir, logsDir }));
  }
  process.stdout.write(banner(demo));
  void demo.crashed.then((log) => {
    if (stopping) return;
    process.stderr.write(`gastown: a server stopped unexpectedly; its log (${log}) ends with:\n${tail(log)}\n`);
    void shutdown(1);
  });
}

await main();
