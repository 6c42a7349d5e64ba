import { compileEnvironmentAt, type CompiledSlice } from '../engine/environment';
import { EngineDocumentError, percentageBucket, type EnvironmentDocument } from '../engine/index';
import { unknownFlag } from '../errors/flagstage-error';
import type { Identity } from '../identity';
import type { Manifest } from '../manifest/types';
import type { BackendEvaluation, BucketInfo, EnabledBy, FeatureAnswer, FlagBackend } from './backend';
import { percentageSegmentName, TRAIT } from '../stages/naming';
import { readLayouts, rolloutOf } from '../stages/read';
import { sliceDocument } from './slice';
import type { FlagRollout } from '../stages/rollout';
import { hasOrg, toEngineIdentity } from './traits';

/** A document as sources hold it (`LoadedDocument` fits). */
export interface CompiledDocument {
  readonly revision: string;
  readonly document: EnvironmentDocument;
}

export interface FlagsmithBackendOptions<K extends string> {
  /** Told once per revision about a flag whose part of the document is malformed (it is denied to all but admins). */
  readonly onInvalid?: (flag: K, error: EngineDocumentError) => void;
}

const SEGMENT_PREFIX = 'TARGETING_MATCH; segment=';
const MISSING: FeatureAnswer = Object.freeze({ enabled: false, by: null, segment: null, detail: 'MISSING' });

/**
 * The policy's backend on a Flagsmith environment document, evaluated locally by the engine.
 * Stages come from `readLayouts` once per revision; an identity is evaluated per flag, on a slice of
 * the document holding only that flag's feature (the policy's memo keeps each answer).
 *
 * How Flagsmith's reasons map: the `flagstage_<feature>_percentage` segment is `percentage`; the
 * allowlist segment, an identity override or any other segment made in the dashboard count as
 * `allowlist` (a named set of people; explain shows which); the default (or a multivariate split
 * of it) is `ga`.
 *
 * @example
 * ```ts
 * const backend = flagsmithBackend(manifest, loaded); // loaded: a LoadedDocument from a source
 * backend.evaluate(identity).answer('gastown');        // { enabled: true, by: 'percentage', segment: 'flagstage_gastown_percentage', … }
 * ```
 */
export function flagsmithBackend<K extends string>(manifest: Manifest<K>, loaded: CompiledDocument, options: FlagsmithBackendOptions<K> = {}): FlagBackend<K> {
  const layouts = readLayouts(manifest, loaded.document);
  const rollouts = {} as Record<K, FlagRollout>;
  for (const key of Object.keys(layouts) as K[]) rollouts[key] = Object.freeze(rolloutOf(layouts[key]));
  const apiKey = loaded.document.api_key ?? '';
  // One evaluator per flag, compiled on first use in this revision: a decision evaluates only the
  // segments of the flag it is about (see sliceDocument), not every flag's percentage split.
  // Compiling a slice validates exactly what the flag reads; a malformed part denies that flag to
  // everyone but admins (fail closed) and is reported once per revision.
  const slices = new Map<K, CompiledSlice | FeatureAnswer>();
  const sliceOf = (flag: K): CompiledSlice | FeatureAnswer => {
    let compiled = slices.get(flag);
    if (compiled === undefined) {
      try {
        compiled = compileEnvironmentAt(sliceDocument(loaded.document, layoutOf(layouts, flag).feature), loaded.revision);
      } catch (error) {
        if (!(error instanceof EngineDocumentError)) throw error;
        compiled = Object.freeze({ enabled: false, by: null, segment: null, detail: `INVALID_DOCUMENT; ${error.message}` });
        options.onInvalid?.(flag, error);
      }
      slices.set(flag, compiled);
    }
    return compiled;
  };

  // Flagsmith's reasons for one feature are a handful of strings: each maps to one shared, frozen
  // answer, so deciding allocates no answer per identity.
  const answerCache = new Map<string, [Map<string, FeatureAnswer>, Map<string, FeatureAnswer>]>();
  const answerOf = (feature: string, enabled: boolean, reason: string): FeatureAnswer => {
    let byEnabled = answerCache.get(feature);
    if (byEnabled === undefined) answerCache.set(feature, (byEnabled = [new Map(), new Map()]));
    const cache = byEnabled[enabled ? 1 : 0];
    let answer = cache.get(reason);
    if (answer === undefined) {
      answer = Object.freeze(toAnswer(feature, enabled, reason));
      cache.set(reason, answer);
    }
    return answer;
  };

  return {
    revision: loaded.revision,
    rollout: (flag) => layoutOf(rollouts, flag),
    evaluate(identity: Identity): BackendEvaluation<K> {
      const input = toEngineIdentity(identity);
      return {
        answer(flag) {
          const feature = layoutOf(layouts, flag).feature;
          const slice = sliceOf(flag);
          if (!('evaluate' in slice)) return slice;
          const state = slice.flag(input, feature);
          if (!state) return MISSING;
          const answer = answerOf(feature, state.enabled === true, String(state.reason ?? ''));
          // Flagsmith's split still admits the identities whose hash is exactly 0 at 0% (about 1 in
          // 10,000): a rollout at 0% means nobody, so flagstage does not let them in.
          if (answer.by === 'percentage' && rollouts[flag].percentage?.value === 0) return answerOf(feature, false, ZERO_PERCENT);
          return answer;
        },
      };
    },
    bucket(flag, identity): BucketInfo | null {
      const layout = layoutOf(layouts, flag);
      if (layout.percentageSegmentKey === null || layout.percentage === null) return null;
      const splitKey = splitKeyOf(layout.percentageProperty ?? '', identity, apiKey);
      if (splitKey === null) return null;
      return { value: percentageBucket([layout.percentageSegmentKey, splitKey]), threshold: layout.percentage.value, by: layout.percentage.by };
    },
  };
}

const ZERO_PERCENT = 'PERCENTAGE_SPLIT at 0%: nobody';

function layoutOf<K extends string, T>(table: Record<K, T>, flag: K): T {
  const entry = Object.prototype.hasOwnProperty.call(table, flag) ? table[flag] : undefined;
  if (entry === undefined) throw unknownFlag(flag);
  return entry;
}

function toAnswer(feature: string, enabled: boolean, reason: string): FeatureAnswer {
  const segment = reason.startsWith(SEGMENT_PREFIX) ? reason.slice(SEGMENT_PREFIX.length) : null;
  let by: EnabledBy | null = null;
  if (enabled) {
    if (segment === percentageSegmentName(feature)) by = 'percentage';
    else if (segment !== null || reason.startsWith('IDENTITY_OVERRIDE')) by = 'allowlist';
    else by = 'ga';
  }
  return { enabled, by, segment, detail: reason };
}

/** The string Flagsmith hashes with the segment key, as the engine does for a PERCENTAGE_SPLIT. */
function splitKeyOf(property: string, identity: Identity, apiKey: string): string | null {
  if (property === '' || property === '$.identity.key') return `${apiKey}_${identity.userId}`;
  if (property === TRAIT.orgId) return hasOrg(identity) ? identity.orgId : null;
  if (property === TRAIT.userId || property === '$.identity.identifier') return identity.userId;
  const value = identity.traits?.[property];
  return value === undefined || value === null ? null : String(value);
}
