// A Worker using flagstage + flagstage/hono builds with `wrangler deploy --dry-run` WITHOUT
// nodejs_compat (test/worker-dry-run/wrangler.jsonc). Wrangler only warns about a Node built-in
// import (the Worker would then throw at run time), so the test fails on that warning and on any
// Node import left in the bundle. No network: dry runs do not talk to Cloudflare.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import JSON5 from 'json5';
import { afterAll, describe, expect, it } from 'vitest';
import { assertDistFresh, repoRoot } from './dist';

mkdirSync(`${repoRoot}/test/.tmp`, { recursive: true });
const outdir = mkdtempSync(`${repoRoot}/test/.tmp/wrangler-`);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function wrangler(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${repoRoot}/node_modules/wrangler/bin/wrangler.js`, ...args], {
      cwd: `${repoRoot}/test/worker-dry-run`,
      env: {
        ...process.env,
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_LOG_PATH: `${outdir}/logs`,
        NO_UPDATE_NOTIFIER: '1',
        CI: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('wrangler deploy --dry-run without nodejs_compat', () => {
  it('bundles a Worker using flagstage and flagstage/hono', async () => {
    assertDistFresh();
    const config = JSON5.parse(readFileSync(`${repoRoot}/test/worker-dry-run/wrangler.jsonc`, 'utf8')) as { compatibility_flags?: string[]; node_compat?: boolean };
    expect(config.compatibility_flags ?? []).toEqual([]);
    expect(config.node_compat).toBeUndefined();

    const { code, output } = await wrangler(['deploy', '--dry-run', '--outdir', `${outdir}/bundle`]);
    expect(output, output).toMatch(/--dry-run: exiting now/);
    expect(code, output).toBe(0);
    expect(output).not.toMatch(/built into node|nodejs_compat/);

    const bundle = readdirSync(`${outdir}/bundle`).filter((file) => file.endsWith('.js')).map((file) => readFileSync(`${outdir}/bundle/${file}`, 'utf8')).join('\n');
    expect(bundle).toContain('flagstage.forbidden');
    expect(bundle).not.toMatch(/from\s*["'](node:)?(crypto|fs|path|buffer|events|stream|util|http|https|url)["']/);
    expect(bundle).not.toMatch(/require\(["']node:/);
    const size = output.match(/Total Upload: ([\d.]+ KiB) \/ gzip: ([\d.]+ KiB)/);
    console.log(`worker bundle (flagstage + flagstage/hono + hono + app): ${size?.[1]} / gzip ${size?.[2]}`);
  }, 120_000);
});
