'use client';
// The provider holds React context, so it must be a client component. Re-exporting it from a
// 'use client' module makes that boundary explicit whatever the package's bundling kept.
export { FlagstageProvider } from 'flagstage/react';
