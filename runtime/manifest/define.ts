import type { FlagInput, FlagsInput } from './types';

/**
 * Declares the flags of an app. Used as the default export of `flags.config.ts`; the codegen
 * reads it statically (it never runs this file) and writes the typed `flags.gen.ts`.
 *
 * Keys are camelCase. A sub-flag names its `parent` and is allowed only where the parent is.
 *
 * @example
 * ```ts
 * import { defineFlags } from 'flagstage';
 *
 * export default defineFlags({
 *   gastown: { description: 'Gastown pages, API and dispatch', owner: 'gastown-team' },
 *   convoys: { description: 'Convoy UI and gt_sling_batch', parent: 'gastown' },
 * });
 * ```
 */
export function defineFlags<const T extends { readonly [K in keyof T]: FlagInput }>(flags: T & FlagsInput): T {
  return flags;
}
