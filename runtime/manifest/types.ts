/**
 * The manifest: what a flag is, as `flags.config.ts` declares it and as `flags.gen.ts` exports it.
 * Kept free of zod and Node built-ins so the runtime can carry these types to the edge for free.
 */

/** How a flag's percentage stage picks who is in: by the user's id or by the organisation's. */
export type BucketBy = 'user' | 'org';

/** One flag as written in `flags.config.ts`. Only `description` is required. */
export interface FlagInput {
  /** What the flag gates, for people reading `flagstage status`. */
  readonly description: string;
  /** A parent flag key: this flag is allowed only where its parent is. */
  readonly parent?: string;
  /** Whether the flag has its own kill-switch feature. Default: true for top-level flags, false for sub-flags (they are killed with their parent). */
  readonly killSwitch?: boolean;
  /** Percentage bucketing. Default: `user`, or the parent's for a sub-flag. */
  readonly bucketBy?: BucketBy;
  /** The Flagsmith feature name. Default: the key in snake_case. */
  readonly feature?: string;
  /** Who owns the flag (a team or a person). */
  readonly owner?: string;
  /** When the flag should be gone, as `YYYY-MM-DD`. */
  readonly expires?: string;
}

/** The argument of `defineFlags()`: flag key to its definition. */
export type FlagsInput = Readonly<Record<string, FlagInput>>;

/** One flag after validation and defaults, as the runtime consumes it. */
export interface FlagDefinition<K extends string = string> {
  readonly key: K;
  readonly description: string;
  readonly parent: string | null;
  readonly killSwitch: boolean;
  readonly bucketBy: BucketBy;
  /** Flagsmith feature name. */
  readonly feature: string;
  /** Flagsmith feature that kills this flag when enabled, or null when it has none. */
  readonly killSwitchFeature: string | null;
  readonly owner: string | null;
  readonly expires: string | null;
}

/** A validated manifest: what `flags.gen.ts` exports as `manifest`. */
export interface Manifest<K extends string = string> {
  readonly flags: { readonly [P in K]: FlagDefinition<P> };
}
