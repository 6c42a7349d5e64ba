import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { entries, root } from './scripts/entries.mjs';

// A Node project for codegen, CLI and Node adapters; workerd projects (no nodejs_compat in the code
// under test) for everything that runs at the edge. Files named *.workerd.test.ts run inside workerd:
// test/control and test/guard in projects of their own, whose test Workers bind the control plane.
const ignored = ['**/node_modules/**', '**/dist/**', 'examples/**', 'test/fixtures/**'];

/** What sets one workerd project apart from the others; the rest is the same for every one. */
interface WorkerdProject {
  name: string;
  include: string[];
  exclude: string[];
  /** A test Worker exporting the control plane's Durable Object class, bound with SQLite storage as
   * wrangler's new_sqlite_classes migration binds it. */
  controlWorker?: string;
  kvNamespaces?: string[];
  hookTimeout?: number;
}

function workerdProject(project: WorkerdProject): TestProjectInlineConfiguration {
  const { name, include, exclude, controlWorker, kvNamespaces, hookTimeout } = project;
  return {
    extends: true,
    plugins: [
      cloudflareTest({
        ...(controlWorker === undefined ? {} : { main: controlWorker }),
        miniflare: {
          compatibilityDate: '2026-04-01',
          compatibilityFlags: [],
          ...(kvNamespaces === undefined ? {} : { kvNamespaces }),
          ...(controlWorker === undefined
            ? {}
            : { durableObjects: { FLAGSTAGE_CONTROL: { className: 'FlagstageControl', useSQLite: true } } }),
        },
      }),
    ],
    // Resolve packages as workerd does (the ssr defaults would pick their Node builds).
    ssr: { resolve: { conditions: ['workerd', 'worker', 'browser'] } },
    test: { name, include, exclude, testTimeout: 60_000, ...(hookTimeout === undefined ? {} : { hookTimeout }) },
  };
}

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
      workerdProject({
        name: 'workerd',
        include: ['**/*.workerd.test.ts'],
        exclude: [...ignored, 'test/control/**', 'test/guard/**'],
        // The shared document cache tests (test/sources) need a KV namespace.
        kvNamespaces: ['FLAGSTAGE_KV'],
      }),
      // The control plane, driven through its test Worker.
      workerdProject({
        name: 'workerd-control',
        include: ['test/control/**/*.workerd.test.ts'],
        exclude: ignored,
        controlWorker: './test/control/worker.ts',
      }),
      // Guards: a control plane taking outcomes on a test-driven clock, and a Hono gate Worker
      // reporting to it, both in its test Worker.
      workerdProject({
        name: 'workerd-guard',
        include: ['test/guard/**/*.workerd.test.ts'],
        exclude: ignored,
        controlWorker: './test/guard/worker.ts',
        hookTimeout: 60_000,
      }),
    ],
  },
});
