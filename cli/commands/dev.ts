import { parseArgs } from 'node:util';
import { localPaths } from '../backends/local/index';
import { openContext } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import { startDevServer } from '../dev/server';

const DEFAULT_KEY = 'ser.flagstage-dev';

export const devCommand: Command = {
  name: 'dev',
  summary: "serve the local document like Flagsmith's environment-document endpoint, with webhooks",
  help: `Usage: flagstage dev [--port N] [--host HOST] [--environment-key KEY] [--webhook URL]... [options]

Serves .flagstage/environment.json exactly like Flagsmith's GET /api/v1/environment-document/
(the X-Environment-Key header must match), so an app in development runs the real
flagsmithSource({ apiUrl, environmentKey }) against the local backend. On every change of the
document (any flagstage command), POSTs a webhook to each --webhook URL signed like Flagsmith's:
X-Flagsmith-Signature = hex HMAC-SHA256 of the raw body with the webhook secret. Runs until
interrupted (Ctrl-C).

Options:
  --port N               the port (default: a free one; the URL is printed)
  --host HOST            the interface (default 127.0.0.1)
  --environment-key KEY  the key clients send (default: $FLAGSTAGE_DEV_ENVIRONMENT_KEY, else ${DEFAULT_KEY})
  --webhook URL          a webhook to call on every change (repeat)
  --webhook-secret S     the webhook secret (default: $FLAGSTAGE_WEBHOOK_SECRET; required with --webhook)
  --json                 print the endpoint as one JSON line (url, apiUrl, environmentKey, document)
  --config PATH          the manifest (default: flags.config.ts)

Example:
  flagstage dev --port 8790 --webhook http://127.0.0.1:8788/flagsmith/webhook --webhook-secret dev-secret
  # then: flagsmithSource({ apiUrl: 'http://127.0.0.1:8790/api/v1/', environmentKey: '${DEFAULT_KEY}', ttlMs: 1_000, maxStaleMs: 60_000, timeoutMs: 2_000 })
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        json: { type: 'boolean', default: false },
        port: { type: 'string' },
        host: { type: 'string' },
        'environment-key': { type: 'string' },
        webhook: { type: 'string', multiple: true },
        'webhook-secret': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected "${positionals.join(' ')}"; dev takes options only`);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${values.port} is not a port number (0-65535)`);
    const webhooks = values.webhook ?? [];
    for (const hook of webhooks) {
      if (!/^https?:\/\//.test(hook)) throw new UsageError(`--webhook ${hook} is not an http(s) URL`);
    }
    const secret = values['webhook-secret'] ?? io.env.FLAGSTAGE_WEBHOOK_SECRET;
    if (webhooks.length > 0 && !secret) throw new UsageError('--webhook needs a secret: pass --webhook-secret S or set FLAGSTAGE_WEBHOOK_SECRET (the same secret the app verifies with)');
    const environmentKey = values['environment-key'] ?? io.env.FLAGSTAGE_DEV_ENVIRONMENT_KEY ?? DEFAULT_KEY;

    const { backend, stateDir } = await openContext(io, { config: values.config, backend: 'local' });
    await backend.read(); // creates the document on first use
    const document = localPaths(stateDir).document;
    const server = await startDevServer({
      document,
      environmentKey,
      host: values.host,
      port,
      webhooks,
      webhookSecret: secret,
      log: (line) => io.stderr(`flagstage dev: ${line}\n`),
    }).catch((error: NodeJS.ErrnoException) => {
      const where = `${values.host ?? '127.0.0.1'}:${port}`;
      if (error.code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use on ${values.host ?? '127.0.0.1'}; pass another --port, or none for a free one`);
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EACCES') {
        throw new UsageError(`cannot listen on ${where} (${error.code}); pass a --host of this machine (default 127.0.0.1) and a free --port`);
      }
      throw error;
    });
    if (values.json) {
      io.stdout(`${JSON.stringify({ url: server.url, apiUrl: server.apiUrl, environmentKey, document, webhooks })}\n`);
    } else {
      io.stdout(
        `flagstage dev: serving ${document}\n` +
          `  GET ${server.apiUrl}environment-document/  (X-Environment-Key: ${environmentKey})\n` +
          `  flagsmithSource({ apiUrl: '${server.apiUrl}', environmentKey: '${environmentKey}', ttlMs: 1_000, maxStaleMs: 60_000, timeoutMs: 2_000 })\n` +
          (webhooks.length > 0 ? `  webhooks on every change: ${webhooks.join(', ')}\n` : '') +
          '  Ctrl-C to stop\n',
      );
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
