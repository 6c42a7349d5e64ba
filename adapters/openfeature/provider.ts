import type { ErrorCode, EvaluationContext, JsonValue, Provider, ResolutionDetails, ServerProviderEvents } from '@openfeature/server-sdk';
import { diffRollouts } from '../../runtime/policy/changes';
import type { Flagstage } from '../../runtime/flagstage';
import type { Manifest } from '../../runtime/manifest/types';
import type { RegisteredManifest } from '../../runtime/manifest/register';
import type { LoadedDocument } from '../../runtime/sources/source';
import { identityFromContext } from './context';
import { ProviderEvents } from './events';
import { decisionMetadata, OPENFEATURE_REASONS } from './reasons';

// OpenFeature's enums as their string values: importing the SDK at run time would pull node:events in.
const EVENT = { Ready: 'PROVIDER_READY', Error: 'PROVIDER_ERROR', Stale: 'PROVIDER_STALE', ConfigurationChanged: 'PROVIDER_CONFIGURATION_CHANGED' } as Record<string, ServerProviderEvents>;
const code = (value: 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH' | 'PROVIDER_NOT_READY' | 'GENERAL' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT') => value as ErrorCode;

/** What a source reports when it cannot load or refresh (`SourceError` fits). */
export interface SourceProblem {
  readonly message: string;
  readonly code?: string;
}

/**
 * flagstage as an OpenFeature server provider: boolean flags of the manifest, decided by the staged
 * policy (admin floor, kill-switch, parent flags) on the runtime's document.
 *
 * - The evaluation context is the identity: `targetingKey` is the user id, plus `orgId` and
 *   `isAdmin`. Build it from the server's authenticated session, never from anything the client
 *   sends (whoever sets `isAdmin` is an admin).
 * - Reasons map onto OpenFeature's (see `OPENFEATURE_REASONS`); `flagMetadata` carries flagstage's
 *   own `reason`, `stage`, `killed` and `revision`.
 * - Evaluation never throws: an unknown key is `FLAG_NOT_FOUND`, a string/number/object request
 *   for a flag is `TYPE_MISMATCH`, a context without `targetingKey` is `TARGETING_KEY_MISSING`.
 *   Pass `false` as the default value: on an error the SDK returns it.
 * - Events: `PROVIDER_READY` once a document is loaded, `PROVIDER_CONFIGURATION_CHANGED` once per
 *   new document revision (with `flagsChanged`), `PROVIDER_STALE` / `PROVIDER_ERROR` when the
 *   source reports a failure (wire `onSourceError` into the source's `onError`), and `PROVIDER_READY`
 *   again with the next revision.
 *
 * @example
 * ```ts
 * import { OpenFeature } from '@openfeature/server-sdk';
 * import { FlagstageProvider, typedClient } from 'flagstage/openfeature';
 *
 * const provider = new FlagstageProvider(flags);
 * await OpenFeature.setProviderAndWait(provider);
 * const client = typedClient<typeof manifest>(OpenFeature.getClient());
 * const on = await client.getBooleanValue('gastown', false, { targetingKey: session.userId, orgId: session.orgId, isAdmin: session.isAdmin });
 * ```
 */
export class FlagstageProvider<M extends Manifest = RegisteredManifest> implements Provider {
  readonly metadata = { name: 'flagstage' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new ProviderEvents();
  readonly #flags: Flagstage<M>;
  #unsubscribe: (() => void) | undefined;
  /** A document has been seen, so a failing source means stale answers rather than none. */
  #loaded = false;
  #state: 'ready' | 'stale' | 'error' = 'ready';

  constructor(flags: Flagstage<M>) {
    if (!flags || typeof flags.decide !== 'function') throw new TypeError('flagstage: new FlagstageProvider(flags) needs the runtime from createFlagstage()');
    this.#flags = flags;
  }

  /** Called by the SDK: waits for the first document; without one the SDK reports PROVIDER_ERROR (decisions still fail closed). */
  async initialize(): Promise<void> {
    this.#unsubscribe ??= this.#flags.source.subscribe?.((next, previous) => this.#onRevision(next, previous));
    const document = await this.#flags.source.current();
    if (document === null) {
      this.#state = 'error';
      throw new Error('flagstage: no environment document could be loaded yet; evaluations fail closed to admin-only until one is');
    }
    this.#loaded = true;
  }

  async onClose(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /**
   * Hand the source's failures to the provider: `flagsmithSource({ …, onError: (e) => provider.onSourceError(e) })`.
   * With a document held it emits `PROVIDER_STALE` (answers continue from the last good document),
   * without one `PROVIDER_ERROR`; once per episode, until the next revision makes it ready again.
   */
  onSourceError(problem: SourceProblem): void {
    const state = this.#loaded ? 'stale' : 'error';
    if (this.#state === state) return;
    this.#state = state;
    const metadata = problem.code === undefined ? undefined : { code: problem.code };
    this.events.emit(state === 'stale' ? EVENT.Stale! : EVENT.Error!, { message: problem.message, ...(metadata ? { metadata } : {}) });
  }

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    try {
      if (!this.#has(flagKey)) return notFound(flagKey, defaultValue);
      const mapped = identityFromContext(context);
      if ('problem' in mapped) return { value: defaultValue, reason: 'ERROR', errorCode: code(mapped.problem.errorCode), errorMessage: mapped.problem.message };
      const decision = await this.#flags.decide(flagKey as never, mapped.identity);
      const reason = OPENFEATURE_REASONS[decision.reason];
      const details: ResolutionDetails<boolean> = { value: decision.allowed, reason, variant: decision.allowed ? 'on' : 'off', flagMetadata: decisionMetadata(decision) };
      if (reason !== 'ERROR') return details;
      return { ...details, errorCode: code('PROVIDER_NOT_READY'), errorMessage: 'flagstage: no environment document is loaded: only admins are allowed' };
    } catch (error) {
      return { value: defaultValue, reason: 'ERROR', errorCode: code('GENERAL'), errorMessage: `flagstage: evaluating "${flagKey}" failed (${error instanceof Error ? error.message : String(error)})` };
    }
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.#notBoolean(flagKey, defaultValue, 'string'));
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.#notBoolean(flagKey, defaultValue, 'number'));
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.#notBoolean(flagKey, defaultValue, 'object'));
  }

  #has(flagKey: string): boolean {
    return typeof flagKey === 'string' && Object.prototype.hasOwnProperty.call(this.#flags.manifest.flags, flagKey);
  }

  #notBoolean<T>(flagKey: string, defaultValue: T, type: string): ResolutionDetails<T> {
    if (!this.#has(flagKey)) return notFound(flagKey, defaultValue);
    return { value: defaultValue, reason: 'ERROR', errorCode: code('TYPE_MISMATCH'), errorMessage: `flagstage: "${flagKey}" is a boolean flag; it was asked for as a ${type}` };
  }

  #onRevision(next: LoadedDocument, previous: LoadedDocument | null): void {
    this.#loaded = true;
    if (this.#state !== 'ready') {
      this.#state = 'ready';
      this.events.emit(EVENT.Ready!, { message: `flagstage: revision ${next.revision} loaded` });
    }
    if (previous === null) return;
    let flagsChanged: string[];
    try {
      flagsChanged = changedFlags(this.#flags.manifest, previous, next);
    } catch {
      flagsChanged = Object.keys(this.#flags.manifest.flags);
    }
    this.events.emit(EVENT.ConfigurationChanged!, { flagsChanged, metadata: { revision: next.revision } });
  }
}

function notFound<T>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
  return { value: defaultValue, reason: 'ERROR', errorCode: code('FLAG_NOT_FOUND'), errorMessage: `flagstage: "${String(flagKey)}" is not a flag of the manifest` };
}

/** The flags whose rollout changed, plus their sub-flags (a parent's change changes their answers too). */
function changedFlags(manifest: Manifest, previous: LoadedDocument, next: LoadedDocument): string[] {
  const changed = new Set(diffRollouts(manifest, previous.document, next.document).map((change) => change.flag));
  const keys = Object.keys(manifest.flags);
  for (let grew = true; grew; ) {
    grew = false;
    for (const key of keys) {
      const parent = manifest.flags[key]!.parent;
      if (!changed.has(key) && parent !== null && changed.has(parent)) {
        changed.add(key);
        grew = true;
      }
    }
  }
  return keys.filter((key) => changed.has(key));
}
