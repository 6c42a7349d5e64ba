import type { NextConfig } from 'next';

// `flagstage/*` resolves to this repository's own package through its `exports` (package
// self-reference: the example sits inside the package), so the app imports the kit exactly as
// Gastown does from node_modules: the built dist/ (`npm run build`, which `npm ci` runs).
const config: NextConfig = {
  poweredByHeader: false,
  // The demo is served by `next start` on 127.0.0.1 only; no image optimisation or telemetry needed.
  images: { unoptimized: true },
};

export default config;
