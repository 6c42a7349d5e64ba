import type { Manifest } from './types';

/**
 * Filled in by the generated `flags.gen.ts` through module augmentation, so that every API of the
 * runtime and the adapters accepts exactly the manifest's flag keys:
 *
 * ```ts
 * declare module 'flagstage' { interface Register { manifest: typeof manifest } }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Register {}

/** The app's manifest type, once `flags.gen.ts` is part of the program; a plain `Manifest` before. */
export type RegisteredManifest = Register extends { manifest: infer M extends Manifest } ? M : Manifest;

/** A flag key of the app's manifest (any string before codegen has run). */
export type FlagKey = keyof RegisteredManifest['flags'] & string;
