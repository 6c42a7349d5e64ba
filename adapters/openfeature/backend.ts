import type { EvaluationContext, Logger, Provider, ResolutionDetails } from '@openfeature/server-sdk';
import type { Identity } from '../../runtime/identity';
import type { Manifest } from '../../runtime/manifest/types';
import type { BackendEvaluation, EnabledBy, FeatureAnswer, FlagBackend } from '../../runtime/policy/backend';
import type { FlagRollout } from '../../runtime/stages/rollout';
import { withTimeout } from '../../runtime/timeout';
import { contextFromIdentity } from './context';

/** What flagstage needs of an OpenFeature server provider. */
export type VendorProvider = Pick<Provider, 'metadata' | 'resolveBooleanEvaluation' | 'initialize'>;

/** Why a vendor evaluation failed; flagstage then failed closed (admins only) for the flags involved. */
export class VendorError extends Error {
  override readonly name = 'VendorError';
  /** `vendor-timeout`: no answer within `timeoutMs`; `vendor-error`: an error code or a throw. */
  readonly code: 'vendor-timeout' | 'vendor-error';
  /** The vendor flag keys that were not answered. */
  readonly flags: readonly string[];

  constructor(code: 'vendor-timeout' | 'vendor-error', message: string, flags: readonly string[], cause?: unknown) {
    super(message, { cause });
    this.code = code;
    this.flags = flags;
  }
}

export interface OpenFeatureBackendOptions {
  /** How long one identity's vendor evaluation may take (all flags at once); past it, fail closed. */
  readonly timeoutMs: number;
  /** Receives every vendor failure, with the cause. Default: one JSON line on `console.warn`. */
  readonly onError?: (error: VendorError) => void;
  /** The vendor's context for an identity. Default: `contextFromIdentity` (targetingKey, userId, orgId, isAdmin, traits). */
  readonly context?: (identity: Identity) => EvaluationContext;
}

/**
 * A vendor's OpenFeature provider as flagstage's backend: what `createVendorFlagstage({ vendor })`
 * takes. It is not a `createFlagstage` option: vendor answers are asynchronous, and the core runtime
 * carries no code for waiting on them.
 */
export interface OpenFeatureBackend {
  /** The revision decisions report: `openfeature:<provider name>` (the vendor holds the state). */
  readonly revision: string;
  /** The backend for a manifest; `prepare` asks the vendor once per Identity object. */
  backend<K extends string>(manifest: Manifest<K>): VendorBackend<K>;
}

/** A backend whose answers must be awaited: `prepare(identity)` before the synchronous policy reads them. */
export interface VendorBackend<K extends string = string> extends FlagBackend<K> {
  /**
   * Evaluates the identity (every flag and kill-switch at once), memoised per Identity object; once
   * it has settled, `evaluate(identity)` answers synchronously. Never rejects: failures fail closed.
   */
  prepare(identity: Identity): Promise<BackendEvaluation<K>>;
}

const SILENT: Logger = { error() {}, warn() {}, info() {}, debug() {} };
const TIMEOUT = Symbol('timeout');
type Outcome = { readonly ok: true; readonly details: ResolutionDetails<boolean> } | { readonly ok: false; readonly cause: unknown };

/**
 * Any OpenFeature server provider as the backend: the vendor (Cloudflare Flagship, LaunchDarkly,
 * Unleash, …) decides whether each manifest flag's feature (its snake_case `feature` name) is
 * enabled for an identity; flagstage keeps the gates, the admin floor, parent flags, grants, typed
 * helpers and explain, and reads the kill-switch from the vendor flag `<feature>_kill_switch`.
 *
 * One identity is evaluated once (every flag and kill-switch at once, concurrently) and the answers
 * are memoised for that Identity object, so a request asks the vendor once however many gates it
 * passes. A vendor error, an error code or no answer within `timeoutMs` fails closed: admins only,
 * reason `no-environment`, the cause to `onError`. `explain` names the vendor's answer and reason.
 * Hand it to `createVendorFlagstage({ manifest, vendor })`, whose `decide` / `snapshot` (and
 * `explain` from flagstage/explain) wait for the vendor; the synchronous `decideOn` cannot wait and
 * fails closed for an identity not yet evaluated.
 *
 * @example
 * ```ts
 * import { createVendorFlagstage, openFeatureBackend } from 'flagstage/openfeature';
 * import { FlagshipServerProvider } from '@cloudflare/flagship/server';
 *
 * const flags = createVendorFlagstage({ manifest, vendor: openFeatureBackend(new FlagshipServerProvider({ binding: env.FLAGS }), { timeoutMs: 50 }) });
 * await flags.decide('gastown', identity); // { allowed, reason: 'allowlist' | 'percentage' | 'ga' | 'admin' | 'killed' | …, … }
 * ```
 */
export function openFeatureBackend(provider: VendorProvider, options: OpenFeatureBackendOptions): OpenFeatureBackend {
  if (!provider || typeof provider.resolveBooleanEvaluation !== 'function') {
    throw new TypeError('flagstage: openFeatureBackend(provider, options) needs an OpenFeature server provider (with resolveBooleanEvaluation)');
  }
  const timeoutMs = options?.timeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`flagstage: openFeatureBackend needs timeoutMs, a positive number of milliseconds (got ${String(timeoutMs)})`);
  }
  const name = String(provider.metadata?.name ?? 'provider');
  const onError = options.onError ?? warnVendorError;
  const contextOf = options.context ?? contextFromIdentity;
  const revision = `openfeature:${name}`;
  let initialized: Promise<void> | undefined;

  const report = (error: VendorError) => {
    try {
      onError(error);
    } catch {
      // A broken error handler must not fail the request: the decision already failed closed.
    }
  };

  const ask = async (key: string, context: EvaluationContext): Promise<Outcome> => {
    try {
      await (initialized ??= Promise.resolve(provider.initialize?.()).catch((error: unknown) => {
        initialized = undefined; // try again with the next identity
        throw error;
      }));
      return { ok: true, details: await provider.resolveBooleanEvaluation(key, false, context, SILENT) };
    } catch (cause) {
      return { ok: false, cause };
    }
  };

  const backend = <K extends string>(manifest: Manifest<K>): VendorBackend<K> => {
    const keys = Object.keys(manifest.flags) as K[];
    const vendorKeys = keys.flatMap((key) => [manifest.flags[key].feature, ...(manifest.flags[key].killSwitchFeature === null ? [] : [manifest.flags[key].killSwitchFeature!])]);
    const rollouts = {} as Record<K, FlagRollout>;
    // The vendor holds the stages: flagstage only knows the floor it guarantees itself.
    for (const key of keys) rollouts[key] = Object.freeze({ flag: key, stage: 'admin-only', killed: false, allowlist: { users: [], orgs: [] }, percentage: null });
    const pending = new WeakMap<Identity, Promise<BackendEvaluation<K>>>();
    const settled = new WeakMap<Identity, BackendEvaluation<K>>();

    const evaluateNow = async (identity: Identity): Promise<BackendEvaluation<K>> => {
      const context = contextOf(identity);
      // ask() never rejects (it returns { ok: false }), so a rejection here is the deadline.
      const outcomes = await Promise.all(vendorKeys.map((key) => withTimeout<Outcome | typeof TIMEOUT>(ask(key, context), timeoutMs).catch((): typeof TIMEOUT => TIMEOUT)));
      const answers = new Map<string, Outcome | typeof TIMEOUT>(vendorKeys.map((key, index) => [key, outcomes[index]!]));

      const late = vendorKeys.filter((key) => answers.get(key) === TIMEOUT);
      if (late.length > 0) report(new VendorError('vendor-timeout', `flagstage: OpenFeature provider "${name}" gave no answer within ${timeoutMs} ms for ${late.join(', ')}; failing closed to admin-only`, late));
      for (const key of vendorKeys) {
        const outcome = answers.get(key);
        if (outcome === TIMEOUT || outcome === undefined) continue;
        const cause = outcome.ok ? (outcome.details.errorCode !== undefined ? new Error(`${outcome.details.errorCode}: ${outcome.details.errorMessage ?? ''}`.trim()) : null) : outcome.cause;
        if (cause !== null) report(new VendorError('vendor-error', `flagstage: OpenFeature provider "${name}" could not evaluate "${key}" (${messageOf(cause)}); failing closed to admin-only`, [key], cause));
      }

      const result = {} as Record<K, FeatureAnswer>;
      for (const key of keys) {
        const { feature, killSwitchFeature } = manifest.flags[key];
        const kill = killSwitchFeature === null ? null : answers.get(killSwitchFeature);
        const enabled = answers.get(feature);
        result[key] = Object.freeze(answerOf(name, feature, enabled, killSwitchFeature, kill, timeoutMs));
      }
      const evaluation: BackendEvaluation<K> = { answer: (flag) => result[flag] ?? unknownFlag(flag) };
      settled.set(identity, evaluation);
      return evaluation;
    };

    return {
      revision,
      rollout: (flag) => rollouts[flag] ?? unknownFlag(flag),
      evaluate: (identity) => settled.get(identity) ?? notYetEvaluated(name),
      prepare(identity) {
        let evaluation = pending.get(identity);
        if (evaluation === undefined) pending.set(identity, (evaluation = evaluateNow(identity)));
        return evaluation;
      },
    };
  };

  return Object.freeze({ revision, backend });
}

/** How the vendor's reason for an enabled flag reads in flagstage's words. */
function enabledBy(reason: string | undefined): EnabledBy {
  if (reason === 'SPLIT') return 'percentage';
  if (reason === 'TARGETING_MATCH') return 'allowlist';
  return 'ga';
}

function answerOf(
  name: string,
  feature: string,
  enabled: Outcome | typeof TIMEOUT | undefined,
  killSwitch: string | null,
  kill: Outcome | typeof TIMEOUT | undefined | null,
  timeoutMs: number,
): FeatureAnswer {
  const failure = (key: string, outcome: Outcome | typeof TIMEOUT | undefined): string | null => {
    if (outcome === TIMEOUT || outcome === undefined) return `OpenFeature provider "${name}" gave no answer for "${key}" within ${timeoutMs} ms: failing closed to admin-only`;
    if (!outcome.ok) return `OpenFeature provider "${name}" failed on "${key}" (${messageOf(outcome.cause)}): failing closed to admin-only`;
    if (outcome.details.errorCode !== undefined) return `OpenFeature provider "${name}" answered "${key}" with ${outcome.details.errorCode}: failing closed to admin-only`;
    return null;
  };
  if (killSwitch !== null) {
    const failed = failure(killSwitch, kill ?? undefined);
    if (failed !== null) return { enabled: false, by: null, segment: null, denied: 'no-environment', detail: failed };
    const details = (kill as { details: ResolutionDetails<boolean> }).details;
    if (details.value === true) return { enabled: false, by: null, segment: null, denied: 'killed', detail: `the vendor flag "${killSwitch}" is on (OpenFeature provider "${name}", ${details.reason ?? 'no reason'}): back to admin-only for new access` };
  }
  const failed = failure(feature, enabled);
  if (failed !== null) return { enabled: false, by: null, segment: null, denied: 'no-environment', detail: failed };
  const details = (enabled as { details: ResolutionDetails<boolean> }).details;
  const how = `${details.reason ?? 'no reason'}${details.variant === undefined ? '' : `, variant ${details.variant}`}`;
  return details.value === true
    ? { enabled: true, by: enabledBy(details.reason), segment: null, detail: `OpenFeature provider "${name}" enabled "${feature}" (${how})` }
    : { enabled: false, by: null, segment: null, detail: `OpenFeature provider "${name}" did not enable "${feature}" (${how})` };
}

function notYetEvaluated(name: string): BackendEvaluation<never> {
  const answer: FeatureAnswer = Object.freeze({ enabled: false, by: null, segment: null, denied: 'no-environment', detail: `OpenFeature provider "${name}" was not asked: decideOn cannot wait for a vendor; use decide()` });
  return { answer: () => answer };
}

function unknownFlag(flag: string): never {
  throw new Error(`flagstage: unknown flag "${flag}"; it is not in the manifest`);
}

/** The message, led by the OpenFeature error code when the provider threw one (FlagNotFoundError, …). */
function messageOf(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
}

function warnVendorError(error: VendorError): void {
  console.warn(JSON.stringify({ type: 'flagstage.vendor-error', code: error.code, flags: error.flags, message: error.message }));
}
