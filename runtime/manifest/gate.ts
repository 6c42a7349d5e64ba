import type { FlagKey } from './register';

/**
 * A gate names the flag a surface requires. Gates are values, not functions, so that each adapter
 * (Next, tRPC, Hono, React) can interpret the same gate in its own idiom.
 */
export interface Gate<K extends string = FlagKey> {
  readonly kind: 'flagstage.gate';
  readonly flag: K;
}

/**
 * Makes a gate for a flag key. The generated `flags.gen.ts` calls it once per flag
 * (`requireGastown`) and wraps it as `withFeature(key)`; apps rarely call it directly.
 *
 * @example
 * ```ts
 * const requireGastown = defineGate('gastown');
 * ```
 */
export function defineGate<const K extends string>(flag: K): Gate<K> {
  return Object.freeze({ kind: 'flagstage.gate', flag });
}

/** Whether a value is a gate made by `defineGate`. */
export function isGate(value: unknown): value is Gate<string> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'flagstage.gate';
}
