/**
 * flagstage/testing: build environment documents for tests, so an app can test its own gates
 * against `staticSource` with the exact documents the CLI and the control plane write.
 */
import type { BucketBy, Manifest } from '../manifest/types';
import { applyRollout, createDocument } from '../stages/apply';
import type { StagedDocument } from '../stages/document';
import type { RolloutPatch } from '../stages/rollout';
import { stageAtLeast, type Stage } from '../stages/stages';

/** One flag's rollout as a test states it; everything is optional (default: admin-only). */
export interface FlagSetup {
  /** Default `admin-only`. */
  readonly stage?: Stage;
  /** Allowlisted user ids. */
  readonly users?: readonly string[];
  /** Allowlisted org ids. */
  readonly orgs?: readonly string[];
  /** The percentage split, 0-100 (default 0 from the percentage stage up, none below it). */
  readonly percent?: number;
  /** How the split buckets; default the manifest's `bucketBy`. */
  readonly by?: BucketBy;
  /** The flag's own kill-switch (ignored for a flag without one: it is killed with its parent). */
  readonly killed?: boolean;
}

/** The document's environment fields. */
export interface BuildOptions {
  /** `updated_at`, the revision. Default: a timestamp later than any this module handed out before. */
  readonly revision?: string;
  /** `api_key`, part of the percentage hash. Default `TEST_API_KEY`. */
  readonly apiKey?: string;
}

/** The `api_key` of built documents unless a test names another. */
export const TEST_API_KEY = 'flagstageTestEnvKey';

let clock = Date.UTC(2025, 0, 1);

/**
 * A revision later than every one handed out before, in Flagsmith's microsecond format, so a
 * source given a second built document takes it as newer.
 *
 * @example
 * ```ts
 * buildDocument(manifest, {}, { revision: nextTestRevision() });
 * ```
 */
export function nextTestRevision(): string {
  clock += 1000;
  return new Date(clock).toISOString().replace('Z', '000+00:00');
}

/**
 * Builds a Flagsmith environment document for a manifest with each flag at the rollout a test names
 * (the others admin-only), written by the same code as the CLI's and the control plane's documents.
 *
 * @example
 * ```ts
 * import { createFlagstage, staticSource } from 'flagstage';
 * import { buildDocument } from 'flagstage/testing';
 * import { manifest } from './flags.gen';
 *
 * const flags = createFlagstage({
 *   manifest,
 *   source: staticSource(buildDocument(manifest, { gastown: { stage: 'percentage', percent: 30, users: ['u-ceo'] } })),
 * });
 * expect((await flags.decide('gastown', { userId: 'u-ceo', isAdmin: false })).allowed).toBe(true);
 * ```
 */
export function buildDocument<K extends string>(manifest: Manifest<K>, setup: Partial<Record<K, FlagSetup>> = {}, options: BuildOptions = {}): StagedDocument {
  let doc = createDocument(manifest, { apiKey: options.apiKey ?? TEST_API_KEY, revision: options.revision ?? nextTestRevision(), name: 'Test environment' });
  for (const flag of Object.keys(setup) as K[]) {
    const flagSetup = setup[flag];
    if (flagSetup === undefined) continue;
    doc = applyRollout(doc, manifest, flag, patchOf(manifest, flag, flagSetup));
  }
  return doc;
}

function patchOf<K extends string>(manifest: Manifest<K>, flag: K, setup: FlagSetup): RolloutPatch {
  const definition = manifest.flags[flag];
  const stage = setup.stage ?? 'admin-only';
  const percent = setup.percent ?? (stageAtLeast(stage, 'percentage') ? 0 : undefined);
  return {
    stage,
    ...(setup.killed !== undefined && definition.killSwitchFeature !== null ? { killed: setup.killed } : {}),
    ...(setup.users !== undefined || setup.orgs !== undefined ? { allowlist: { users: setup.users ?? [], orgs: setup.orgs ?? [] } } : {}),
    ...(percent !== undefined ? { percentage: { value: percent, by: setup.by ?? definition.bucketBy } } : {}),
  };
}
