import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ENVIRONMENT_NAME } from '../../control/options';
import { openContext } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { startControlPlane } from '../serve/control';

const DEFAULT_KEY = 'ser.flagstage-dev';
const DEFAULT_ENVIRONMENT = 'development';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the control plane (flagstage/control) locally in workerd, state under .flagstage/',
  help: `Usage: flagstage serve [--port N] [--state DIR] [--env NAME] [--webhook URL]... [options]

Runs the control plane a team deploys (a Worker and a SQLite Durable Object) on this machine in
workerd, with its state persisted under DIR/control (default .flagstage/ beside the manifest):
stop and start it again on the same directory and nothing is lost. Prints its URL and an owner
token (kept in DIR/control/owner-token). Then:
  - the CLI reaches it: FLAGSTAGE_URL=<url> FLAGSTAGE_TOKEN=<token> flagstage status
  - gates read it: flagsmithSource({ apiUrl: '<url>/api/v1/', environmentKey: '${DEFAULT_KEY}', … })
  - the admin API and its OpenAPI document: <url>/v1/openapi.json
  - apps report outcomes for guards with its ingest key (kept in DIR/control/ingest-key):
    outcomeReporter({ url: '<url>', environment, ingestKey })
After every change it POSTs a Flagsmith-signed webhook to each --webhook URL.

Options:
  --port N               the port (default: a free one)
  --host HOST            the interface (default 127.0.0.1)
  --state DIR            the state directory (default: .flagstage beside the manifest)
  --env NAME             the environment's name (default ${DEFAULT_ENVIRONMENT})
  --environment-key KEY  the server key gates send (default: $FLAGSTAGE_DEV_ENVIRONMENT_KEY, else ${DEFAULT_KEY})
  --webhook URL          a webhook to call after every change (repeat)
  --webhook-secret S     the webhook secret (default: $FLAGSTAGE_WEBHOOK_SECRET; required with --webhook)
  --json                 print the endpoint as one JSON line (url, apiUrl, environment, environmentKey, ingestKey, token, …)
  --config PATH          the manifest (default: flags.config.ts)
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        json: { type: 'boolean', default: false },
        port: { type: 'string' },
        host: { type: 'string' },
        state: { type: 'string' },
        env: { type: 'string' },
        'environment-key': { type: 'string' },
        webhook: { type: 'string', multiple: true },
        'webhook-secret': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected "${positionals.join(' ')}"; serve takes options only`);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${values.port} is not a port number (0-65535)`);
    const environment = values.env ?? DEFAULT_ENVIRONMENT;
    if (!ENVIRONMENT_NAME.test(environment)) throw new UsageError(`--env ${environment}: use lower-case letters, digits, - and _ (e.g. development)`);
    const environmentKey = values['environment-key'] ?? io.env.FLAGSTAGE_DEV_ENVIRONMENT_KEY ?? DEFAULT_KEY;
    if (!environmentKey.startsWith('ser.') || environmentKey.length < 12) throw new UsageError('--environment-key must start with "ser." and be at least 12 characters');
    const hooks = values.webhook ?? [];
    for (const hook of hooks) if (!/^https?:\/\//.test(hook)) throw new UsageError(`--webhook ${hook} is not an http(s) URL`);
    const secret = values['webhook-secret'] ?? io.env.FLAGSTAGE_WEBHOOK_SECRET;
    if (hooks.length > 0 && !secret) throw new UsageError('--webhook needs a secret: pass --webhook-secret S or set FLAGSTAGE_WEBHOOK_SECRET (the same secret the app verifies with)');

    const { manifest, stateDir: defaultState } = await openContext(io, { config: values.config, backend: 'local' });
    const stateDir = values.state === undefined ? defaultState : resolve(io.cwd, values.state);
    const host = values.host ?? '127.0.0.1';
    // workerd's output is held until it listens: a port in use is then one line with the fix, not
    // workerd's own fatal message and stack.
    let listening = false;
    const early: string[] = [];
    const log = (line: string) => (listening ? io.stderr(`flagstage serve: ${line}\n`) : early.push(line));
    const plane = await startControlPlane({
      manifest,
      stateDir,
      environment,
      environmentKey,
      host,
      port,
      webhooks: hooks.map((url) => ({ url, secret: secret ?? '' })),
      log,
    }).catch((error: NodeJS.ErrnoException & Error) => {
      const said = `${error.code ?? ''} ${error.message} ${early.join('\n')}`;
      if (/EADDRINUSE|address already in use/i.test(said)) throw new UsageError(`port ${port} is in use on ${host}; pass another --port, or none for a free one`);
      for (const line of early) io.stderr(`flagstage serve: ${line}\n`);
      throw error;
    });
    listening = true;
    for (const line of early.splice(0)) io.stderr(`flagstage serve: ${line}\n`);
    const apiUrl = `${plane.url}/api/v1/`;
    if (values.json) {
      io.stdout(`${JSON.stringify({ url: plane.url, apiUrl, environment, environmentKey, ingestKey: plane.ingestKey, token: plane.token, admin: plane.adminSignIn, stateDir: plane.persistDir, webhooks: hooks })}\n`);
    } else {
      io.stdout(
        `flagstage serve: the control plane in workerd, state in ${plane.persistDir}\n` +
          `  URL          ${plane.url}  (admin API: ${plane.url}/v1/openapi.json)\n` +
          `  environment  ${environment}, server key ${environmentKey}\n` +
          `  owner token  ${plane.token}\n` +
          `  admin page   ${plane.adminSignIn}  (one-time sign-in link)\n` +
          `  CLI          export FLAGSTAGE_URL=${plane.url} FLAGSTAGE_TOKEN=${plane.token}\n` +
          `  gates        flagsmithSource({ apiUrl: '${apiUrl}', environmentKey: '${environmentKey}', ttlMs: 1_000, maxStaleMs: 60_000, timeoutMs: 2_000 })\n` +
          `  outcomes     outcomeReporter({ url: '${plane.url}', environment: '${environment}', ingestKey: '${plane.ingestKey}' })  (for guards)\n` +
          (hooks.length > 0 ? `  webhooks     after every change: ${hooks.join(', ')}\n` : '') +
          '  Ctrl-C to stop\n',
      );
    }
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await plane.stop();
    return 0;
  },
};
