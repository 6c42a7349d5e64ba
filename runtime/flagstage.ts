import { FlagstageError, problemOf } from './errors/flagstage-error';
import { errorReporter, type ErrorHandler } from './errors/report';
import type { Identity } from './identity';
import type { FlagKey, RegisteredManifest } from './manifest/register';
import type { Manifest } from './manifest/types';
import type { FlagBackend } from './policy/backend';
import type { Decision, FlagSnapshot } from './policy/decision';
import { flagsmithBackend } from './policy/flagsmith-backend';
import { DecisionMemo, heldMemo, type MemoHolder } from './policy/memo';
import { planManifest } from './policy/plan';
import type { CompiledPolicy, IdentityMemo } from './policy/compiled-policy';
import { compilePolicy } from './policy/policy';
import { SourceError } from './sources/errors';
import type { DocumentSource, LoadedDocument, WaitUntil } from './sources/source';
import type { Outcome, OutcomeReporter } from './outcomes/types';

type KeyOf<M extends Manifest> = keyof M['flags'] & string;

/**
 * The runtime an app creates once per isolate: `createFlagstage({ manifest, source })`.
 * Every method resolves from the source's current document; on a compiled document the decision
 * itself is synchronous, only waiting for the source (which in steady state is in memory) is async.
 * `S` is the source's own type, so `flags.source.refresh()` of a `flagsmithSource` needs no second variable.
 */
export interface Flagstage<M extends Manifest = RegisteredManifest, S extends DocumentSource = DocumentSource> {
  readonly manifest: M;
  readonly source: S;
  /** The decision for one flag. `context` lets a stale document refresh through `waitUntil`. */
  decide<K extends KeyOf<M>>(flag: K, identity: Identity, context?: WaitUntil): Promise<Decision<K>>;
  /**
   * `decide`, but synchronous when the source holds a fresh document in memory (its `fresh()`): the
   * decision itself then, so a gate waits for nothing; otherwise `decide`'s promise. `holder`: where
   * the request keeps its identity's memo (`heldMemo`), instead of the recent identities' ring.
   * @internal For flagstage's adapters; not in the published declarations.
   */
  decideFresh<K extends KeyOf<M>>(flag: K, identity: Identity, context?: WaitUntil, holder?: MemoHolder): Decision<K> | Promise<Decision<K>>;
  /** One boolean per flag, for React hydration. */
  snapshot(identity: Identity, context?: WaitUntil): Promise<FlagSnapshot<KeyOf<M>>>;
  /**
   * The synchronous core: the decision on a document already in hand (null = no document). Memoised like `decide`.
   * @internal For flagstage's own adapters, tests and benches; not in the published declarations.
   */
  decideOn<K extends KeyOf<M>>(document: LoadedDocument | null, flag: K, identity: Identity): Decision<K>;
  /**
   * The compiled policy for a document (compiled once per revision).
   * @internal Not in the published declarations.
   */
  policy(document: LoadedDocument | null): CompiledPolicy<KeyOf<M>>;
  /**
   * The identity's memo on the policy of the source's current document (`memo.policy`): what
   * `explain` (flagstage/explain) builds on, and what a wrapper that must first wait for a vendor's
   * answers (flagstage/openfeature) overrides.
   * @internal Not in the published declarations.
   */
  memo(identity: Identity, context?: WaitUntil): Promise<IdentityMemo<KeyOf<M>>>;
  /**
   * Reports what became of work `flag` let `identity` do, to `createFlagstage({ outcomes })` (a
   * guard on the control plane watches the error rate). Nothing is reported for admins or for an
   * identity the flag denies. Never throws and never waits: pass the request's `waitUntil`.
   */
  track<K extends KeyOf<M>>(identity: Identity, flag: K, outcome: Outcome, context?: WaitUntil): void;
  /**
   * False when `track` reports nowhere (no `outcomes`): an adapter then need not wait for a route's answer.
   * @internal For flagstage's adapters; not in the published declarations.
   */
  readonly tracks: boolean;
  /** Stops handing the source's errors to `onError` (change events stop with `watchChanges`'s own unsubscribe). */
  close(): void;
}

export interface FlagstageOptions<M extends Manifest, S extends DocumentSource = DocumentSource> {
  /** The manifest exported by `flags.gen.ts`. */
  readonly manifest: M;
  /** Where documents come from: `flagsmithSource`, `fileSource` or `staticSource`. */
  readonly source: S;
  /**
   * Receives every runtime error that is reported rather than thrown: the source's failures
   * (`SourceError`: a failed refresh, a bad document, a broken shared cache, a document listener that
   * threw: `listener`), a source that threw (`source-failed`), and problems found in a document, once
   * per revision: a manifest flag whose kill-switch feature is missing (`missing-kill-switch`; the
   * flag counts as killed for everyone but admins). Decisions never wait on it and a
   * throwing handler is ignored. Default: one JSON line per error on `console.warn`.
   */
  readonly onError?: ErrorHandler;
  /**
   * @deprecated Change events are opt-in since 0.2 and off the gate path: `watchChanges(source,
   * { manifest, onChange })` from `flagstage/changes`. `false` (now the only behaviour) is accepted;
   * `true`, or an `onChange` here, throws `invalid-option` naming that fix.
   */
  readonly logChanges?: false;
  /** Another flag system behind the same policy. Default: the Flagsmith engine on the document. */
  readonly backend?: (manifest: M, document: LoadedDocument) => FlagBackend<KeyOf<M>>;
  /** Where `flags.track()` sends outcomes: `outcomeReporter()` from `flagstage/outcomes`. Default: nowhere. */
  readonly outcomes?: OutcomeReporter;
}

/**
 * Creates the runtime: staged decisions (admin floor, kill-switch, parent flags) for the manifest's
 * flags, evaluated locally on the source's document. Create it once per isolate, at module scope;
 * build the Identity per request from the authenticated session (decisions are memoised per
 * Identity object and revision, so reuse one object within a request).
 *
 * @example
 * ```ts
 * import { createFlagstage, staticSource } from 'flagstage';
 * import { manifest } from './flags.gen';
 *
 * const flags = createFlagstage({ manifest, source: staticSource(doc) });
 * const identity = { userId: session.userId, orgId: session.orgId, isAdmin: session.isAdmin };
 * const d = await flags.decide('gastown', identity);  // { allowed, reason, stage, killed, revision }
 * const s = await flags.snapshot(identity);           // { revision, flags: { gastown: true, … } }
 * ```
 */
export function createFlagstage<M extends Manifest, S extends DocumentSource = DocumentSource>(options: FlagstageOptions<M, S>): Flagstage<M, S> {
  type K = KeyOf<M>;
  const { manifest, source, outcomes } = options;
  if (!manifest || typeof manifest.flags !== 'object') throw new FlagstageError('invalid-option', 'createFlagstage needs the manifest exported by flags.gen.ts');
  if (!source || typeof source.current !== 'function') {
    throw new FlagstageError('invalid-option', 'createFlagstage needs a source (flagsmithSource, fileSource or staticSource)');
  }
  // 0.1 logged and delivered change events from here; silently dropping an audit trail is worse than a clear error.
  if ((options as { onChange?: unknown }).onChange !== undefined || (options.logChanges as unknown) === true) {
    throw new FlagstageError('invalid-option', "createFlagstage no longer emits change events: use watchChanges(source, { manifest, onChange }) from 'flagstage/changes'");
  }
  const onError = options.onError;
  const reportError = errorReporter(onError).report;
  const plans = planManifest(manifest as Manifest<K>);
  const keys = Object.keys(plans) as K[];
  const makeBackend =
    options.backend ??
    ((m: M, loaded: LoadedDocument) =>
      flagsmithBackend(m as Manifest<K>, loaded, {
        onInvalid: (flag, error) =>
          reportError(
            new SourceError('invalid-document', `flag "${flag}" is denied to everyone but admins in revision ${loaded.revision}: ${problemOf(error)}`, {
              path: error.path,
              cause: error,
            }),
          ),
      }));
  const noEnvironment = compilePolicy<K>(plans, null);
  const memo = new DecisionMemo<K>();
  // Keyed by the document object: a refetch of the same content keeps it, so keeps the policy too.
  const policies = new WeakMap<object, CompiledPolicy<K>>();
  let lastDocument: object | null = null;
  let lastPolicy = noEnvironment;

  // Two functions, not one: the per-decision path (the last document's policy) stays small. V8 tiers a
  // function up by the bytecode its calls run up to their return, against its whole length, so one
  // that returned from its first lines while holding the compile loop ran in baseline code for every
  // request the gate bench counted (150-280 instructions a decision in workerd, callgrind with a perf
  // map); this one is optimised within the first ~500 gated requests, or inlined.
  const policy = (document: LoadedDocument | null): CompiledPolicy<K> =>
    document === null ? noEnvironment : document.document === lastDocument ? lastPolicy : policyFor(document);

  const policyFor = (document: LoadedDocument): CompiledPolicy<K> => {
    let compiled = policies.get(document.document);
    if (compiled === undefined) {
      compiled = compilePolicy(plans, makeBackend(manifest, document));
      policies.set(document.document, compiled);
      // Problems found in the document, once per revision.
      for (const key of keys) {
        const feature = manifest.flags[key]?.killSwitchFeature;
        if (feature == null || compiled.state(key).rollout?.killSwitchMissing !== true) continue;
        reportError(
          new SourceError(
            'missing-kill-switch',
            `revision ${document.revision}: kill-switch feature "${feature}" of flag "${key}" is missing, so "${key}" counts as killed (admin-only): \`flagstage provision\` recreates it (disabled = not killed), \`flagstage kill ${key}\` keeps it killed.`,
          ),
        );
      }
    }
    lastDocument = document.document;
    return (lastPolicy = compiled);
  };

  /**
   * The source's document, then `then` on it. One promise and one reaction per call, not two async
   * functions awaiting each other: a decide's waiting is most of its cost on a document in memory.
   */
  const withDocument = <T>(context: WaitUntil | undefined, then: (document: LoadedDocument | null) => T): Promise<T> => {
    let pending: Promise<LoadedDocument | null>;
    try {
      pending = Promise.resolve(source.current(context));
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Sources promise never to throw; if one does anyway, fail closed rather than fail the request.
    return pending.then(then, (error: unknown) => {
      reportError(new FlagstageError('source-failed', 'the source threw; deciding without a document (admin-only).', { cause: error }));
      return then(null);
    });
  };

  const decideOn = <F extends K>(document: LoadedDocument | null, flag: F, identity: Identity, holder?: MemoHolder<K>): Decision<F> => {
    const active = policy(document);
    return active.decide(flag, identity, holder ? heldMemo(holder, checked(identity), active) : memo.for(checked(identity), active));
  };

  const memoOf = (identity: Identity, context?: WaitUntil): Promise<IdentityMemo<K>> => withDocument(context, (document) => memo.for(checked(identity), policy(document)));

  const unsubscribe = onError !== undefined && source.subscribeErrors ? source.subscribeErrors(reportError) : null;

  const decide = <F extends K>(flag: F, identity: Identity, context?: WaitUntil): Promise<Decision<F>> => withDocument(context, (document) => decideOn(document, flag, identity));

  return Object.freeze({
    manifest,
    source,
    decideOn,
    decideFresh<F extends K>(flag: F, identity: Identity, context?: WaitUntil, holder?: MemoHolder) {
      let held;
      try {
        held = source.fresh?.();
      } catch {
        // left to current(), whose failure is reported and fails closed
      }
      // A holder keeps the memos of this runtime's policies only: its flag keys are this manifest's.
      return held ? decideOn(held, flag, identity, holder as MemoHolder<K> | undefined) : decide(flag, identity, context);
    },
    policy,
    memo: memoOf,
    decide,
    track(identity: Identity, flag: K, outcome: Outcome, context?: WaitUntil) {
      // The reporter (flagstage/outcomes) filters, samples and batches: the root only hands over.
      outcomes?.record(decide(flag, identity, context), outcome, context);
    },
    tracks: outcomes != null,
    snapshot: (identity: Identity, context?: WaitUntil): Promise<FlagSnapshot<K>> => memoOf(identity, context).then((memo) => snapshotOf(keys, identity, memo)),
    close() {
      unsubscribe?.();
    },
  });
}

/**
 * One boolean per flag from one memo lookup: a snapshot is one use of the identity, not one per flag.
 * @internal Shared with flagstage/openfeature's vendor-backed runtime.
 */
export function snapshotOf<K extends string>(keys: readonly K[], identity: Identity, memo: IdentityMemo<K>): FlagSnapshot<K> {
  const flags = {} as Record<K, boolean>;
  for (const key of keys) flags[key] = memo.policy.decide(key, identity, memo).allowed;
  return Object.freeze({ revision: memo.policy.revision, flags: Object.freeze(flags) });
}

/** A decision about nobody would be a decision about everybody: refuse an identity without a userId. */
function checked(identity: Identity): Identity {
  if (typeof identity?.userId !== 'string' || identity.userId === '') {
    throw new FlagstageError('invalid-identity', 'an identity needs a non-empty userId, resolved from the authenticated session');
  }
  return identity;
}

export type { FlagKey };
