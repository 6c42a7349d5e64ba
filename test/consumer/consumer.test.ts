// flagstage as a user gets it: the packed tarball installed into a fresh project in the system's
// temporary folder, outside this repository (no self-reference, no path mapping). The project is
// test/consumer/app (a manifest, a Next app with proxy.ts, tRPC procedures and a Hono Worker); here
// it is typechecked with a strict consumer's flags and no skipLibCheck, its Worker is built by
// `wrangler deploy --dry-run` without nodejs_compat, the Next app is built and served, and the
// installed CLI generates its gates and prints the status.
//
// flagstage and its dependencies are installed by npm from the tarball (--prefer-offline: after
// `npm ci` they are in npm's cache). The frameworks and tools the project would have as its own
// dependencies (next, react, typescript, wrangler, ...) are linked from this repository's
// node_modules: installing Next alone takes a minute.
//
// When an adapter's API changes, test/consumer/app changes with it (it is a user's code).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import JSON5 from 'json5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../adapters/dist';
import { freePort } from '../helpers/ports';
import { pack } from '../package/pack';

const work = mkdtempSync(join(tmpdir(), 'flagstage-consumer-'));
const app = join(work, 'app');
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_LOG_PATH: join(work, 'wrangler-logs'),
  NO_UPDATE_NOTIFIER: '1',
  npm_config_update_notifier: 'false',
  CI: '1',
  // Both the project and this repository's node_modules (the linked next and react) under Turbopack's root.
  CONSUMER_TURBOPACK_ROOT: parse(work).root,
};
/** The project's own dependencies besides flagstage, linked from this repository (see above). */
const LINKED = ['next', 'react', 'react-dom', 'hono', '@trpc/server', 'typescript', 'wrangler', '@cloudflare/workers-types', '@types/react', '@types/react-dom', '@types/node'];

/** The control plane's optional peers: a plain install must not bring them (only `flagstage/control` needs them). */
const CONTROL_PEERS = ['@hono/zod-openapi', '@hono/zod-validator', 'hono'];
let controlPeersInstalled: string[] = [];

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const node = (script: string, args: readonly string[], cwd = app) => run(process.execPath, [join(app, 'node_modules', script), ...args], cwd);
const tsc = (project: string) => node('typescript/bin/tsc', ['-p', project, '--pretty', 'false']);

/**
 * tsc's errors, without those inside Next's own declarations: Next does not hold under
 * skipLibCheck: false itself (missing webpack and jest-worker types, URLPattern), which is not ours
 * to fix. Every other file, flagstage's declarations first, must be clean.
 */
function errors(output: string): string[] {
  return output.split('\n').filter((line) => /error TS\d+/.test(line) && !/(^|\/)node_modules\/next\//.test(line));
}

beforeAll(async () => {
  const { tarball } = await pack(work);
  cpSync(join(repoRoot, 'test/consumer/app'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'flagstage-consumer', private: true, type: 'module' }, null, 2)}\n`);
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app);
  expect(install.code, install.output).toBe(0);
  controlPeersInstalled = CONTROL_PEERS.filter((name) => existsSync(join(app, 'node_modules', name)));
  for (const name of LINKED) {
    const target = join(app, 'node_modules', name);
    if (existsSync(target)) continue; // npm installed it for flagstage (e.g. hono): keep that one
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules', name), target, 'dir');
  }
  const installed = JSON.parse(readFileSync(join(app, 'node_modules/flagstage/package.json'), 'utf8')) as { version: string };
  expect(installed.version).toBe(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
  // The installed bin, through npx (no download: --no), as the README says.
  const codegen = await run('npx', ['--no', 'flagstage', 'codegen'], app);
  expect(codegen.code, codegen.output).toBe(0);
  expect(readFileSync(join(app, 'flags.gen.ts'), 'utf8')).toContain('export const requireReports');
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.concurrent('flagstage installed from its tarball in a fresh project', () => {
  it('is a real install: flagstage is a directory in the project, not a link to this repository', () => {
    expect(readdirSync(join(app, 'node_modules/flagstage')).sort()).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'package.json']);
  });

  it("does not install the control plane's peers (hono, @hono/zod-openapi) for an app that only gates", () => {
    expect(controlPeersInstalled).toEqual([]);
  });

  it('typechecks the app (flagstage, /next, /react, /trpc) strictly, with skipLibCheck: false', async () => {
    const { output } = await tsc('tsconfig.check.json');
    expect(errors(output), output).toEqual([]);
  }, 240_000);

  it('typechecks the Worker (flagstage, /hono, workerd types) strictly, with skipLibCheck: false', async () => {
    const { code, output } = await tsc('worker/tsconfig.json');
    expect(errors(output), output).toEqual([]);
    expect(code, output).toBe(0);
  }, 240_000);

  it('builds the Worker with wrangler deploy --dry-run, without nodejs_compat', async () => {
    const config = JSON5.parse(readFileSync(join(app, 'worker/wrangler.jsonc'), 'utf8')) as { compatibility_flags?: string[]; node_compat?: boolean };
    expect(config.compatibility_flags ?? []).toEqual([]);
    expect(config.node_compat).toBeUndefined();
    const outdir = join(work, 'worker-bundle');
    const { code, output } = await node('wrangler/bin/wrangler.js', ['deploy', '--dry-run', '--outdir', outdir], join(app, 'worker'));
    expect(output, output).toMatch(/--dry-run: exiting now/);
    expect(code, output).toBe(0);
    expect(output).not.toMatch(/built into node|nodejs_compat/);
    const bundle = readdirSync(outdir)
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(join(outdir, file), 'utf8'))
      .join('\n');
    // esbuild names each bundled module's path: the package came from the project's node_modules.
    expect(bundle).toMatch(/node_modules\/flagstage\/dist\/adapters\/hono\/index\.js/);
    // The 0.2 subpaths off the gate path resolve from the installed package's exports.
    expect(bundle).toMatch(/node_modules\/flagstage\/dist\/adapters\/hono\/webhook\.js/);
    expect(bundle).toContain('a top-level flag: no parent to check'); // flagstage/explain's trace (its code sits in a shared chunk)
    expect(bundle).toContain('flagstage:environment-document:'); // flagstage/kv's key
    expect(bundle).toMatch(/"grant-config",\s*"http-status"/); // flagstage/errors' ERROR_CODES
    expect(bundle).toContain('pages loop back to a page already read'); // paged documents: always followed by flagsmithSource
    // Nothing of flagstage from the repository; only a package the project links from it (hono:
    // nothing else installs it now that it is an optional peer) may resolve there.
    const root = repoRoot.endsWith('/') ? repoRoot : `${repoRoot}/`;
    const fromRepository = bundle.match(new RegExp(`${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\S*`, 'g')) ?? [];
    expect(fromRepository.filter((path) => !LINKED.some((name) => path.startsWith(`${root}node_modules/${name}/`)))).toEqual([]);
    expect(bundle).not.toMatch(/from\s*["'](node:)?(crypto|fs|path|buffer|events|stream|util|http|https|url)["']/);
  }, 240_000);

  it('builds a Next app (proxy.ts, pages, client components) with next build and serves the gates', async () => {
    const build = await node('next/dist/bin/next', ['build']);
    expect(build.code, build.output).toBe(0);
    expect(build.output).toMatch(/Proxy/);

    const port = await freePort();
    const server: ChildProcess = spawn(process.execPath, [join(app, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], { cwd: app, env, stdio: 'ignore' });
    try {
      const origin = `http://127.0.0.1:${port}`;
      const get = async (path: string, user?: string) => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await fetch(`${origin}${path}`, { redirect: 'manual', headers: user ? { cookie: `user=${user}` } : {} });
          } catch (error) {
            if (attempt > 300 || server.exitCode !== null) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      };
      const anonymous = await get('/reports');
      expect(anonymous.status).toBe(307); // proxy.ts: no identity
      expect(anonymous.headers.get('location')).toMatch(/\/login$/);
      const alice = await get('/reports', 'alice');
      expect(alice.status).toBe(200);
      const aliceHtml = await alice.text();
      expect(aliceHtml).toContain('Reports (ga)'); // requireFlag's decision, server-rendered
      expect(aliceHtml).toContain('href="/reports"'); // <Feature flag="reports">
      expect(aliceHtml).not.toContain('Export CSV'); // useFlag('exportCsv'): admins only
      const admin = await (await get('/reports', 'admin')).text();
      expect(admin).toContain('Export CSV');
    } finally {
      server.kill();
    }
  }, 300_000);

  it('runs the installed CLI: npx flagstage status on the project manifest', async () => {
    const { code, output } = await run('npx', ['--no', 'flagstage', 'status'], app);
    expect(code, output).toBe(0);
    expect(output).toMatch(/reports\s+-\s+admin-only/);
    expect(output).toMatch(/exportCsv\s+reports\s+admin-only/);
  }, 120_000);
});
