export type { BucketBy, FlagInput, FlagsInput, FlagDefinition, Manifest } from './types';
export type { Register, RegisteredManifest, FlagKey } from './register';
export type { Gate } from './gate';
export { defineFlags } from './define';
export { defineGate, isGate } from './gate';
