import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { copyApp } from './app-copy';
import { exampleDir, flagstageBin, kitEntry, nextBin, repoRoot } from './paths';
import { freePort } from './ports';
import { hasExited, Processes, tail } from './processes';
import { freshSecrets } from './secrets';
import { GiveUp, healthOf, waitFor } from './wait';
import { startWorker, type RunningWorker } from './worker';

export interface DemoOptions {
  /** The manifest; the flag state lives next to it in `.flagstage/` (the CLI's local backend). */
  readonly config: string;
  /** Keep `.flagstage/` as it is instead of starting from admin-only. */
  readonly keepState: boolean;
  /** The app's port; default a free one. */
  readonly appPort?: number;
  /** Build and serve a copy of the Next app there (inside the repository) instead of in place. */
  readonly appDir?: string;
  /** Reports progress (the launcher prints it; tests collect it). */
  readonly log: (line: string) => void;
  /** Aborting it while starting stops whatever was started; startDemo then rejects. */
  readonly signal?: AbortSignal;
}

export interface Demo {
  readonly appUrl: string;
  readonly workerUrl: string;
  /** The control plane (`flagstage serve`): its admin API, its admin page at /admin. */
  readonly controlUrl: string;
  /** The Flagsmith-compatible API base the control plane serves the gates' document at. */
  readonly flagsApiUrl: string;
  /** An owner token for the control plane: the CLI's remote backend (FLAGSTAGE_TOKEN). */
  readonly controlToken: string;
  /** The admin page's one-time owner sign-in link (a new one at every start). */
  readonly adminSignIn: string;
  /** The server key the gates send (X-Environment-Key). */
  readonly environmentKey: string;
  readonly config: string;
  readonly stateDir: string;
  readonly logsDir: string;
  /** Resolves with the log of a server that stopped on its own (the demo is then broken). */
  readonly crashed: Promise<string>;
  stop(): Promise<void>;
}

/** What `--ready-file` holds once every server answers: the demo without its handles (scripts and tests read it). */
export type DemoReady = Omit<Demo, 'crashed' | 'stop'>;

/** A fixed, obviously-local server key: the local control plane serves the document on 127.0.0.1. */
const ENVIRONMENT_KEY = 'ser.gastown-demo-local';
/** Short, so that even without the webhook a change shows within a second. */
const FLAGS_TTL_MS = '1000';

/** What `flagstage serve --json` prints once it answers. */
interface ServeEndpoint {
  readonly url: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly admin: string;
}

/**
 * Starts the whole demo on free local ports: `flagstage serve` (the control plane in workerd: the
 * flags, their history and audit, the admin page; a Flagsmith-signed webhook after every change),
 * the Hono worker in workerd, and the Next app (built, then `next start`). Resolves once every
 * server answers and holds a flag document.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { log, signal } = options;
  const stateDir = join(dirname(options.config), '.flagstage');
  if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
  const logsDir = mkdtempSync(join(tmpdir(), 'gastown-demo-'));
  const processes = new Processes();
  const secrets = freshSecrets();
  let worker: RunningWorker | null = null;
  // Safe to call again: a worker is disposed once, and only running processes are signalled.
  const stop = async () => {
    const running = worker;
    worker = null;
    await Promise.all([processes.stopAll(), running?.stop()]);
  };
  // A Ctrl-C while starting: stop the builds and servers at once (the steps below then fail).
  const onAbort = () => void stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const checkAborted = () => {
    if (signal?.aborted) throw new Error('gastown: stopped while starting');
  };

  try {
    if (!existsSync(kitEntry)) {
      log('Building the flagstage kit (dist/) ...');
      await processes.run('kit build', process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, env: process.env, logFile: join(logsDir, 'kit-build.log') });
    }
    const appDir = options.appDir === undefined ? exampleDir : copyApp(options.appDir);
    const [flagsPort, workerPort, appPort] = await Promise.all([freePort(), freePort(), options.appPort ?? freePort()]);
    const flagsApiUrl = `http://127.0.0.1:${flagsPort}/api/v1/`;
    const workerUrl = `http://127.0.0.1:${workerPort}`;
    const appUrl = `http://127.0.0.1:${appPort}`;
    const quiet = { NEXT_TELEMETRY_DISABLED: '1', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' };

    log('Building the Next app (next build, about 20-40 s) ...');
    const nextBuild = processes.run('next build', process.execPath, [nextBin, 'build'], {
      cwd: appDir,
      env: { ...process.env, ...quiet, NODE_ENV: 'production' },
      logFile: join(logsDir, 'next-build.log'),
    });
    // Awaited after the worker is up; until then a failure must not go unhandled.
    nextBuild.catch(() => undefined);

    // While Next builds: the control plane, then the worker that reads from it.
    const flagsLog = join(logsDir, 'flagstage-serve.log');
    const flagsServer = processes.start(
      'flagstage serve',
      process.execPath,
      [
        flagstageBin,
        'serve',
        '--json',
        '--config',
        options.config,
        '--port',
        String(flagsPort),
        '--environment-key',
        ENVIRONMENT_KEY,
        // One argument: a random secret may start with '-', which would read as an option.
        `--webhook-secret=${secrets.webhookSecret}`,
        '--webhook',
        `${workerUrl}/webhooks/flagsmith`,
        '--webhook',
        `${appUrl}/api/flagstage/webhook`,
      ],
      { cwd: repoRoot, env: { ...process.env, ...quiet }, logFile: flagsLog },
    );
    // It prints its endpoint (URL, owner token, sign-in link) as one JSON line once it listens.
    let printed = '';
    flagsServer.process.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const endpoint = await waitFor(`flagstage serve on ${flagsApiUrl} (log: ${flagsLog})`, async () => {
      if (hasExited(flagsServer)) throw new GiveUp(`it exited:\n${tail(flagsLog)}`);
      const line = printed.split('\n').find((text) => text.startsWith('{'));
      if (line === undefined || !printed.includes('\n')) return undefined;
      const response = await fetch(`${flagsApiUrl}environment-document/`, { headers: { 'X-Environment-Key': ENVIRONMENT_KEY } });
      await response.arrayBuffer();
      return response.ok ? (JSON.parse(line) as ServeEndpoint) : undefined;
    }, { signal });

    log('Starting the worker in workerd ...');
    worker = await startWorker({
      exampleDir,
      outDir: logsDir,
      logFile: join(logsDir, 'worker.log'),
      port: workerPort,
      bindings: {
        FLAGSMITH_API_URL: flagsApiUrl,
        FLAGSMITH_ENVIRONMENT_KEY: ENVIRONMENT_KEY,
        FLAGSMITH_WEBHOOK_SECRET: secrets.webhookSecret,
        SESSION_SECRET: secrets.sessionSecret,
        GRANT_SECRET: secrets.grantSecret,
        GRANT_KID: secrets.grantKid,
        FLAGS_TTL_MS,
      },
    });
    checkAborted();

    await nextBuild;
    checkAborted();
    log('Starting the Next app ...');
    const nextLog = join(logsDir, 'next.log');
    const next = processes.start('next start', process.execPath, [nextBin, 'start', '--hostname', '127.0.0.1', '--port', String(appPort)], {
      cwd: appDir,
      env: {
        ...process.env,
        ...quiet,
        NODE_ENV: 'production',
        FLAGSMITH_API_URL: flagsApiUrl,
        FLAGSMITH_ENVIRONMENT_KEY: ENVIRONMENT_KEY,
        FLAGSMITH_WEBHOOK_SECRET: secrets.webhookSecret,
        FLAGS_TTL_MS,
        SESSION_SECRET: secrets.sessionSecret,
        GASTOWN_WORKER_URL: workerUrl,
      },
      logFile: nextLog,
    });

    // Ready means serving with a flag document, not merely listening.
    type Health = { ok: boolean; revision: string | null };
    await Promise.all([
      waitFor(`the worker on ${workerUrl}`, async () => ((await healthOf<Health>(`${workerUrl}/health`))?.revision ? true : undefined), { signal }),
      waitFor(`the Next app on ${appUrl} (log: ${nextLog})`, async () => {
        if (hasExited(next)) throw new GiveUp(`it exited:\n${tail(nextLog)}`);
        return (await healthOf<Health>(`${appUrl}/api/health`))?.revision ? true : undefined;
      }, { signal }),
    ]);
    checkAborted();
    signal?.removeEventListener('abort', onAbort);
    const crashed = Promise.race([flagsServer.exited.then(() => flagsLog), next.exited.then(() => nextLog)]);
    return {
      appUrl,
      workerUrl,
      controlUrl: endpoint.url,
      flagsApiUrl,
      controlToken: endpoint.token,
      adminSignIn: endpoint.admin,
      environmentKey: ENVIRONMENT_KEY,
      config: options.config,
      stateDir,
      logsDir,
      crashed,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
