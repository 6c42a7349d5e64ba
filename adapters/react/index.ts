'use client';
/**
 * flagstage/react: flags in React components, hydrated from the server's snapshot. No effects, no
 * fetching: what the server rendered is what the client hydrates.
 */
export { FlagstageProvider, type FlagstageProviderProps } from './provider';
export { useFlag } from './use-flag';
export { Feature, type FeatureProps } from './feature';
