// The Next.js app that proves flagstage/next and flagstage/react inside a real `next build` +
// `next start`. One app, two guard variants chosen at build time by FLAGSTAGE_NEXT_VARIANT:
//   proxy       proxy.node.ts       Next 16's `proxy` (Node runtime)
//   middleware  middleware.edge.ts  the deprecated `middleware` (edge runtime)
// The variant's extension is added to pageExtensions, so Next sees exactly one of the two files;
// each variant builds into its own distDir.
//
// `flagstage` resolves as an app's dependency would: this directory has no package.json, so the
// nearest one is the repository's (name "flagstage"), and Node-style package self-reference maps
// `flagstage/next` through its `exports` to dist/ (the `default` condition): the built package, as
// users get it. `npm test` builds dist/ first. Turbopack's root is the repository, so the app can
// import flags.gen.ts and the test helpers from outside its directory.
import type { NextConfig } from 'next';
import { fileURLToPath } from 'node:url';

const variant = process.env.FLAGSTAGE_NEXT_VARIANT === 'middleware' ? 'middleware' : 'proxy';

const config: NextConfig = {
  distDir: `.next/${variant}`,
  pageExtensions: ['tsx', 'ts', variant === 'proxy' ? 'node.ts' : 'edge.ts'],
  turbopack: { root: fileURLToPath(new URL('../..', import.meta.url)) },
  // The repository's `npm run typecheck` checks these files; skip the duplicate check in builds.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
};

export default config;
