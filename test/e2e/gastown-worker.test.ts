import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { repoRoot, tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);

/**
 * The example's worker outside the demo: it typechecks against the Workers types (the Next build
 * typechecks the rest of the example), and it bundles for Cloudflare with wrangler, without
 * nodejs_compat, as Gastown's worker would deploy.
 */
describe('examples/gastown worker', () => {
  test('typechecks with the Workers types', async () => {
    await expect(run(bin('tsc'), ['-p', 'examples/gastown/worker/tsconfig.json'], { cwd: repoRoot })).resolves.toBeDefined();
  }, 120_000);

  test('bundles with wrangler deploy --dry-run, without nodejs_compat', async () => {
    const outdir = tempDir('gastown-wrangler');
    await run(bin('wrangler'), ['deploy', '--dry-run', '-c', 'examples/gastown/worker/wrangler.jsonc', '--outdir', outdir], {
      cwd: repoRoot,
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
    });
    const bundle = readdirSync(outdir).filter((file) => file.endsWith('.js')).map((file) => readFileSync(join(outdir, file), 'utf8')).join('\n');
    expect(bundle).toContain('flagstage.forbidden');
    expect(bundle).not.toMatch(/from\s+["']node:/);
  }, 120_000);
});
