import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../runtime/manifest/types';
import { generateToken, hashToken } from '../../control/auth/tokens';
import { generateIngestKey, INGEST_KEY_PREFIX } from '../../control/guard/ingest-key';
import { createSignInLink } from '../../control/admin/session';
import { userInfo } from 'node:os';
import { BackendError } from '../io';
import { WORKER_COMPATIBILITY, workerBundleOptions } from './worker-bundle';

/** What the local control plane is started with. */
export interface ServeOptions {
  readonly manifest: Manifest;
  /** The `.flagstage` directory: the Durable Object's SQLite lives in `control/` inside it. */
  readonly stateDir: string;
  readonly environment: string;
  readonly environmentKey: string;
  readonly host: string;
  readonly port: number;
  readonly webhooks: readonly { readonly url: string; readonly secret: string }[];
  /** Where workerd's own output goes (a log file), so the terminal keeps the banner. */
  readonly log?: (line: string) => void;
}

export interface RunningControlPlane {
  readonly url: string;
  /** A token with the owner role, kept in the state directory so it survives restarts. */
  readonly token: string;
  /** The environment's ingest key (`ing.…`): what an app's `outcomeReporter` sends outcomes with, for guards. Kept like the token. */
  readonly ingestKey: string;
  readonly persistDir: string;
  /** The admin page's one-time sign-in link (owner); a new one on every start. */
  readonly adminSignIn: string;
  stop(): Promise<void>;
}

/**
 * The Worker `flagstage serve` runs: the very control plane a team deploys, configured from one
 * JSON binding instead of secrets.
 */
function workerSource(controlModule: string): string {
  return `import { adminPage, createControlPlane } from ${JSON.stringify(controlModule)};
let parsed = null;
const config = (env) => (parsed ??= JSON.parse(env.FLAGSTAGE_SERVE));
const plane = createControlPlane({
  manifest: (env) => config(env).manifest,
  environments: (env) => ({ [config(env).environment]: { serverKey: config(env).serverKey, ingestKey: config(env).ingestKey } }),
  auth: (env) => ({ tokens: config(env).tokens, sessions: config(env).sessions }),
  webhooks: (env) => config(env).webhooks,
});
plane.mount(adminPage());
export const FlagstageControl = plane.DurableObject;
export default { fetch: (request, env, ctx) => plane.fetch(request, env, ctx) };
`;
}

/** This package's root (where package.json names flagstage), from wherever this code was bundled. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'flagstage') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new BackendError('cannot find the flagstage package this CLI belongs to');
    dir = parent;
  }
}

/**
 * A secret of a state directory (the owner token, the ingest key): created once (`control/<name>`,
 * mode 0600) and kept, so scripts, the CLI and apps reporting outcomes keep working across restarts
 * of `flagstage serve`.
 */
function keptSecret(persistDir: string, name: string, prefix: string, generate: () => string): string {
  const file = join(persistDir, name);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.startsWith(prefix)) return secret;
  }
  const secret = generate();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * Runs the control plane (`flagstage/control`) in workerd through Miniflare, with the Durable
 * Object's SQLite persisted under `<stateDir>/control`: stopping and starting again on the same
 * directory loses nothing. Needs `miniflare` and `esbuild` (both come with wrangler).
 *
 * @example
 * ```ts
 * const plane = await startControlPlane({ manifest, stateDir: '.flagstage', environment: 'development', environmentKey: 'ser.flagstage-dev', host: '127.0.0.1', port: 0, webhooks: [] });
 * ```
 */
export async function startControlPlane(options: ServeOptions): Promise<RunningControlPlane> {
  const persistDir = join(options.stateDir, 'control');
  mkdirSync(persistDir, { recursive: true });
  const token = keptSecret(persistDir, 'owner-token', 'fst_', generateToken);
  const ingestKey = keptSecret(persistDir, 'ingest-key', INGEST_KEY_PREFIX, generateIngestKey);

  const root = packageRoot();
  const built = join(root, 'dist/control/index.js');
  const controlModule = existsSync(built) ? built : join(root, 'control/index.ts');
  let esbuild: typeof import('esbuild');
  let miniflare: typeof import('miniflare');
  try {
    [esbuild, miniflare] = await Promise.all([import('esbuild'), import('miniflare')]);
  } catch {
    throw new BackendError('flagstage serve needs miniflare and esbuild; install wrangler (npm install -D wrangler), which brings both');
  }
  const bundle = await esbuild
    .build({
      ...workerBundleOptions(),
      stdin: { contents: workerSource(controlModule), resolveDir: root, sourcefile: 'flagstage-serve.js', loader: 'js' },
      write: false,
      logLevel: 'silent',
    })
    .catch((error: unknown) => {
      throw missingPeer(error) ?? error;
    });
  const script = bundle.outputFiles[0]?.text;
  if (script === undefined) throw new BackendError('flagstage serve: bundling the control plane produced nothing');

  const signIn = await createSignInLink({ actor: `local:${localUser()}`, role: 'owner', ttlMs: 24 * 60 * 60 * 1000 });
  const config = {
    manifest: options.manifest,
    environment: options.environment,
    serverKey: options.environmentKey,
    ingestKey,
    tokens: [{ name: 'local-owner', role: 'owner', sha256: await hashToken(token) }],
    webhooks: options.webhooks,
    // The admin page: a session secret and a one-time owner sign-in link, both new on every start.
    sessions: { secret: generateToken(), signInLinks: [signIn.link] },
  };
  const instance = new miniflare.Miniflare({
    modules: true,
    script,
    ...WORKER_COMPATIBILITY,
    durableObjects: { FLAGSTAGE_CONTROL: { className: 'FlagstageControl', useSQLite: true } },
    durableObjectsPersist: persistDir,
    bindings: { FLAGSTAGE_SERVE: JSON.stringify(config) },
    host: options.host,
    port: options.port,
    cf: false,
    handleRuntimeStdio(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) {
      const forward = (chunk: Buffer | string) => options.log?.(chunk.toString().trimEnd());
      stdout.on('data', forward);
      stderr.on('data', forward);
    },
  });
  const url = (await instance.ready).toString().replace(/\/$/, '');
  return { url, token, ingestKey, persistDir, adminSignIn: `${url}/admin/sign-in?code=${signIn.code}`, stop: () => instance.dispose() };
}

/**
 * The control plane's peer dependencies (`hono`, `@hono/zod-openapi`) are optional, so that an app
 * that only gates pays nothing for them: when they are missing, say which to install.
 */
function missingPeer(error: unknown): BackendError | undefined {
  const text = error instanceof Error ? error.message : String(error);
  const missing = ['@hono/zod-openapi', 'hono'].filter((name) => text.includes(`Could not resolve "${name}`));
  if (missing.length === 0) return undefined;
  return new BackendError(`flagstage serve runs the control plane (flagstage/control), which needs ${missing.join(' and ')}: npm install -D hono @hono/zod-openapi`, { cause: error });
}

function localUser(): string {
  try {
    return userInfo().username || 'owner';
  } catch {
    return 'owner';
  }
}
