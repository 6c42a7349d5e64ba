/**
 * flagstage: typed, staged feature flags for the edge.
 * This entry point runs in workerd without `nodejs_compat`: it imports no Node built-in.
 */
export * from './manifest/index';
