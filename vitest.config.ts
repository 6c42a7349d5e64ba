import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { entries, root } from './scripts/entries.mjs';

// Two projects: Node for codegen, CLI and Node adapters; workerd (no nodejs_compat in the code under
// test) for everything that runs at the edge. Files named *.workerd.test.ts run inside workerd.
const ignored = ['**/node_modules/**', '**/dist/**', 'examples/**', 'test/fixtures/**'];

export default defineConfig({
  // `flagstage/*` is this package's TypeScript sources in tests (tsconfig.json `paths` says the same
  // to the compiler); the published package.json exports only point at dist/.
  resolve: {
    alias: entries()
      .filter((entry) => entry.specifier !== null)
      .map((entry) => ({ find: new RegExp(`^${entry.specifier}$`), replacement: `${root}/${entry.source}` })),
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['**/*.test.ts', '**/*.test.tsx'],
          exclude: [...ignored, '**/*.workerd.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        plugins: [
          cloudflareTest({
            miniflare: {
              compatibilityDate: '2026-04-01',
              compatibilityFlags: [],
              // The shared document cache tests (test/sources) need a KV namespace.
              kvNamespaces: ['FLAGSTAGE_KV'],
            },
          }),
        ],
        // Resolve packages as workerd does (the ssr defaults would pick their Node builds).
        ssr: { resolve: { conditions: ['workerd', 'worker', 'browser'] } },
        test: {
          name: 'workerd',
          include: ['**/*.workerd.test.ts'],
          exclude: [...ignored, 'test/control/**', 'test/guard/**'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        // The control plane: its test Worker (test/control/worker.ts) exports the Durable Object
        // class, bound with SQLite storage as wrangler's new_sqlite_classes migration binds it.
        plugins: [
          cloudflareTest({
            main: './test/control/worker.ts',
            miniflare: {
              compatibilityDate: '2026-04-01',
              compatibilityFlags: [],
              durableObjects: { FLAGSTAGE_CONTROL: { className: 'FlagstageControl', useSQLite: true } },
            },
          }),
        ],
        ssr: { resolve: { conditions: ['workerd', 'worker', 'browser'] } },
        test: {
          name: 'workerd-control',
          include: ['test/control/**/*.workerd.test.ts'],
          exclude: ignored,
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        // Guards: a control plane taking outcomes on a test-driven clock, and a Hono gate Worker
        // reporting to it (test/guard/worker.ts), with the same SQLite Durable Object binding.
        plugins: [
          cloudflareTest({
            main: './test/guard/worker.ts',
            miniflare: {
              compatibilityDate: '2026-04-01',
              compatibilityFlags: [],
              durableObjects: { FLAGSTAGE_CONTROL: { className: 'FlagstageControl', useSQLite: true } },
            },
          }),
        ],
        ssr: { resolve: { conditions: ['workerd', 'worker', 'browser'] } },
        test: {
          name: 'workerd-guard',
          include: ['test/guard/**/*.workerd.test.ts'],
          exclude: ignored,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
