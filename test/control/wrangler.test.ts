// The control plane's wrangler.jsonc template (control/template) deploys as shipped: `wrangler
// deploy --dry-run` bundles its worker.ts with flagstage/control from dist/, with the SQLite Durable
// Object migration and WITHOUT nodejs_compat. No network: dry runs do not talk to Cloudflare.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import JSON5 from 'json5';
import { afterAll, describe, expect, it } from 'vitest';
import { assertDistFresh, repoRoot } from '../adapters/dist';

mkdirSync(`${repoRoot}/test/.tmp`, { recursive: true });
const dir = mkdtempSync(`${repoRoot}/test/.tmp/control-template-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function wrangler(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${repoRoot}/node_modules/wrangler/bin/wrangler.js`, ...args], {
      cwd: dir,
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: `${dir}/logs`, NO_UPDATE_NOTIFIER: '1', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('control/template/wrangler.jsonc', () => {
  it('declares the SQLite Durable Object without nodejs_compat, and wrangler deploy --dry-run bundles it', async () => {
    assertDistFresh();
    for (const file of ['wrangler.jsonc', 'worker.ts']) copyFileSync(`${repoRoot}/control/template/${file}`, `${dir}/${file}`);
    copyFileSync(`${repoRoot}/flags.gen.ts`, `${dir}/flags.gen.ts`);
    const config = JSON5.parse(readFileSync(`${dir}/wrangler.jsonc`, 'utf8')) as {
      compatibility_flags?: string[];
      durable_objects: { bindings: { name: string; class_name: string }[] };
      migrations: { new_sqlite_classes?: string[] }[];
    };
    expect(config.compatibility_flags ?? []).toEqual([]);
    expect(config.durable_objects.bindings).toEqual([{ name: 'FLAGSTAGE_CONTROL', class_name: 'FlagstageControl' }]);
    expect(config.migrations[0]?.new_sqlite_classes).toEqual(['FlagstageControl']);

    const { code, output } = await wrangler(['deploy', '--dry-run', '--outdir', `${dir}/bundle`]);
    expect(output, output).toMatch(/--dry-run: exiting now/);
    expect(code, output).toBe(0);
    expect(output).not.toMatch(/built into node|nodejs_compat/);
    expect(output).toMatch(/FLAGSTAGE_CONTROL[\s\S]*FlagstageControl/);
    const bundle = readdirSync(`${dir}/bundle`).filter((file) => file.endsWith('.js')).map((file) => readFileSync(`${dir}/bundle/${file}`, 'utf8')).join('\n');
    expect(bundle).toContain('environment-document');
    expect(bundle).not.toMatch(/from\s*["'](node:)?(crypto|fs|path|buffer|events|stream|util|http|https|url)["']/);
    expect(bundle).not.toMatch(/require\(["']node:/);
    const size = output.match(/Total Upload: ([\d.]+ KiB) \/ gzip: ([\d.]+ KiB)/);
    console.log(`control plane worker bundle: ${size?.[1]} / gzip ${size?.[2]}`);
  }, 120_000);
});
