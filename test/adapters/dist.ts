// The Next app and the wrangler worker consume the built package (dist/), as users do. `npm test`
// builds it first; a direct `vitest` run after editing the adapters must rebuild (`npm run build`).
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Throws when dist/ is missing; warns when it is older than the runtime and adapter sources. */
export function assertDistFresh(): void {
  let built: number;
  try {
    built = statSync(`${repoRoot}/dist/adapters/hono/index.js`).mtimeMs;
  } catch {
    throw new Error('flagstage: dist/ is missing; run `npm run build` (npm test does) before these tests');
  }
  const sources = Math.max(newest(`${repoRoot}/runtime`), newest(`${repoRoot}/adapters`));
  if (sources > built) console.warn('flagstage: dist/ is older than runtime/ or adapters/; run `npm run build` (npm test does) to test the current code');
}
