import { compileDecision } from '../engine/decide';
import { environmentToContext } from '../engine/from-document';
import { EngineDocumentError, type EnvironmentDocument } from '../engine/index';
import type { IdentityView } from '../engine/properties';
import { unknownFlag } from '../errors/flagstage-error';
import type { Identity } from '../identity';
import type { Manifest } from '../manifest/types';
import type { BackendEvaluation, EnabledBy, FeatureAnswer, PolicyBackend } from './backend';
import { percentageSegmentName } from '../stages/naming';
import { readLayouts } from '../stages/read';
import type { FlagStanding } from '../stages/rollout';
import { engineTraits } from './traits';

/** A document as sources hold it (`LoadedDocument` fits). */
export interface CompiledDocument {
  readonly revision: string;
  readonly document: EnvironmentDocument;
}

export interface FlagsmithBackendOptions<K extends string> {
  /** Told once per revision about a flag whose part of the document is malformed (it is denied to all but admins). */
  readonly onInvalid?: (flag: K, error: EngineDocumentError) => void;
}

/**
 * The Flagsmith backend of one revision. Its rollouts leave the allowlists unread: `document` is what
 * flagstage/explain reads them and a flag's percentage split from (`readRollout`, `flagsmithBucket`),
 * so that gates do not bundle either.
 */
export interface FlagsmithBackend<K extends string = string> extends PolicyBackend<K> {
  readonly document: EnvironmentDocument;
}

const SEGMENT_PREFIX = 'TARGETING_MATCH; segment=';

/** One flag of one revision: its answer for an identity, from its compiled slice. */
type FlagSlot = (identity: IdentityView) => FeatureAnswer;

/** An identity as the engine reads it, which is also its evaluation: one object per new identity. */
interface Evaluation<K extends string> extends IdentityView, BackendEvaluation<K> {}

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
export function flagsmithBackend<K extends string>(manifest: Manifest<K>, loaded: CompiledDocument, options: FlagsmithBackendOptions<K> = {}): FlagsmithBackend<K> {
  const { document } = loaded;
  const layouts = readLayouts(manifest, document);
  const rollouts = new Map<K, FlagStanding>();
  for (const key of Object.keys(layouts) as K[]) rollouts.set(key, Object.freeze(layouts[key].rollout));
  const apiKey = document.api_key;
  // Joined once: a new identity's key is then one concatenation, not two.
  const keyStart = `${apiKey}_`;
  // One evaluator per flag, compiled on first use in this revision: a decision evaluates only the
  // segments of the flag it is about (`environmentToContext(document, feature)`), not every flag's percentage split.
  // Compiling a slice validates exactly what the flag reads; a malformed part denies that flag to
  // everyone but admins (fail closed) and is reported once per revision.
  const slots = new Map<K, FlagSlot>();
  const slotOf = (flag: K): FlagSlot => {
    const rollout = rollouts.get(flag);
    if (rollout === undefined) throw unknownFlag(flag);
    const feature = layouts[flag].feature;
    const zero = rollout.percentage?.value === 0;
    // What a reason of Flagsmith's for this feature means to the policy.
    const answer = (enabled: boolean, reason: string): FeatureAnswer => {
      const segment = reason.startsWith(SEGMENT_PREFIX) ? reason.slice(SEGMENT_PREFIX.length) : null;
      // Identity overrides are segments too (named identity_overrides), as in Flagsmith's engine.
      const by: EnabledBy | null = !enabled ? null : segment === percentageSegmentName(feature) ? 'percentage' : segment !== null ? 'allowlist' : 'ga';
      // At 0%, a percentage match admits nobody: Flagsmith's split still admits the identities whose
      // hash is exactly 0 (about 1 in 10,000), and a rollout at 0% means nobody.
      return by === 'percentage' && zero ? answer(false, ZERO_PERCENT) : Object.freeze({ enabled, by, segment, detail: reason });
    };
    let slot: FlagSlot;
    try {
      // Only the decision: a gate bundles no values, variants or whole results.
      const missing = answer(false, 'MISSING');
      slot = compileDecision(environmentToContext(document, feature), feature, answer) ?? (() => missing);
    } catch (error) {
      if (!(error instanceof EngineDocumentError)) throw error;
      const invalid = answer(false, `INVALID_DOCUMENT; ${error.message}`);
      options.onInvalid?.(flag, error);
      slot = () => invalid;
    }
    slots.set(flag, slot);
    return slot;
  };

  // A method, not a closure per identity: `this` is the identity's evaluation (its engine view).
  function answerFor(this: Evaluation<K>, flag: K): FeatureAnswer {
    return (slots.get(flag) ?? slotOf(flag))(this);
  }

  return {
    revision: loaded.revision,
    document,
    rollout(flag) {
      const rollout = rollouts.get(flag);
      if (rollout === undefined) throw unknownFlag(flag);
      return rollout;
    },
    // What toIdentityView makes of Flagsmith's identifier and traits, built once: the key is
    // `<api key>_<identifier>`, hashed as its two parts.
    evaluate: (identity: Identity): Evaluation<K> => ({
      identifier: identity.userId,
      key: keyStart + identity.userId,
      keyPrefix: apiKey,
      traits: engineTraits(identity),
      answer: answerFor,
    }),
  };
}

const ZERO_PERCENT = 'PERCENTAGE_SPLIT at 0%: nobody';
