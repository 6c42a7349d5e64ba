import type { NextConfig } from 'next';

const config: NextConfig = {
  poweredByHeader: false,
  // The test typechecks with tsc and the strict flags first; the build need not do it twice.
  typescript: { ignoreBuildErrors: true },
  // The test links next and react from the repository's node_modules (installing Next takes a
  // minute); Turbopack compiles only files under its root, so the root must hold both places.
  ...(process.env.CONSUMER_TURBOPACK_ROOT ? { turbopack: { root: process.env.CONSUMER_TURBOPACK_ROOT } } : {}),
  // A one-off build: writing Turbopack's cache for the next build would only cost time.
  experimental: { turbopackFileSystemCacheForBuild: false },
};
export default config;
