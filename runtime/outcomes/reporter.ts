import { FlagstageError, problemOf } from '../errors/flagstage-error';
import { report, warnError, type ErrorHandler } from '../errors/report';
import type { Decision } from '../policy/decision';
import type { FetchLike } from '../sources/origin';
import type { WaitUntil } from '../sources/source';
import { withTimeout } from '../timeout';
import type { Outcome, OutcomeReporter } from './types';
import { MAX_BATCH_ENTRIES, MAX_OUTCOME_COUNT, type OutcomeBatch, type OutcomeCount } from './wire';

export interface OutcomeReporterOptions {
  /** The control plane's base URL, e.g. `https://flagstage-control.example.workers.dev`. */
  readonly url: string;
  /** The environment the outcomes belong to (its ingest key must match). */
  readonly environment: string;
  /**
   * The environment's ingest key (`ing.…`, `EnvironmentConfig.ingestKey`): it can only report
   * outcomes, nothing else, so it may live in every gate. Keep it in a secret all the same.
   */
  readonly ingestKey: string;
  /**
   * The share of outcomes kept, 0 < rate <= 1 (default 1: all). Kept outcomes are sent as they are,
   * not scaled up: the guard computes its error rate on the samples, and its minimum counts samples.
   */
  readonly sampleRate?: number;
  /** A batch is sent as soon as it holds this many outcomes (default 200, at most 10,000). */
  readonly maxBatch?: number;
  /** Otherwise it is sent this long after its first outcome (default 2,000 ms). */
  readonly flushMs?: number;
  /** How long one POST may take (default 5,000 ms); a batch that fails is dropped and reported. */
  readonly timeoutMs?: number;
  /** How to reach the control plane; default the global `fetch` (a service binding's `fetch` works too). */
  readonly fetch?: FetchLike;
  /** Receives failed sends (`http-status`, `network`, `timeout`) and bad outcomes; default one console line. */
  readonly onError?: ErrorHandler;
  /** The sampling dice, in [0, 1); default `Math.random`. */
  readonly random?: () => number;
}

/** What `outcomeReporter()` returns: pass it to `createFlagstage({ outcomes })`. */
export interface OutcomeReporterHandle extends OutcomeReporter {
  /**
   * Sends what is batched now (at shutdown, or before a test checks the control plane). Outcomes
   * whose decision is still resolving join the next batch. Never rejects.
   */
  flush(): Promise<void>;
  /** Outcomes waiting in the current batch. */
  readonly pending: number;
}

const ENVIRONMENT = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Batches the outcomes `flags.track()` reports and sends them to the control plane's
 * `POST /v1/environments/{environment}/outcomes` with the environment's ingest key, where a guard
 * watches the error rate of a rollout. One reporter per isolate (module scope): outcomes of many
 * requests share a batch, sent when it is full or `flushMs` after it started, through the
 * `waitUntil` of the requests in it, so no request waits. Nothing is kept for admins or for
 * identities the flag denies; each outcome carries its decision's reason. Never throws.
 *
 * @example
 * ```ts
 * import { createFlagstage, flagsmithSource } from 'flagstage';
 * import { outcomeReporter } from 'flagstage/outcomes';
 *
 * const flags = createFlagstage({
 *   manifest,
 *   source: flagsmithSource({ apiUrl: `${CONTROL_URL}/api/v1/`, environmentKey: env.SERVER_KEY }),
 *   outcomes: outcomeReporter({ url: CONTROL_URL, environment: 'production', ingestKey: env.INGEST_KEY, sampleRate: 0.25 }),
 * });
 * // in a handler, after the work the flag let the user do:
 * flags.track(identity, 'gastown', ok ? 'success' : 'error', c.executionCtx);
 * ```
 */
export function outcomeReporter(options: OutcomeReporterOptions): OutcomeReporterHandle {
  const base = checkUrl(options.url);
  if (!ENVIRONMENT.test(options.environment ?? '')) throw invalid(`environment "${options.environment}" is not an environment name (e.g. production)`);
  if (typeof options.ingestKey !== 'string' || options.ingestKey.trim() === '') throw invalid("ingestKey is empty; pass the environment's ingest key (ing.…) from a secret");
  const sampleRate = options.sampleRate ?? 1;
  if (!(sampleRate > 0 && sampleRate <= 1)) throw invalid(`sampleRate ${sampleRate} is not in (0, 1]; e.g. 0.1 keeps one outcome in ten`);
  const maxBatch = options.maxBatch ?? 200;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_OUTCOME_COUNT) throw invalid(`maxBatch ${maxBatch} is not an integer from 1 to ${MAX_OUTCOME_COUNT}`);
  const flushMs = options.flushMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  if (!(flushMs >= 0) || !(timeoutMs > 0)) throw invalid('flushMs and timeoutMs must be positive numbers of milliseconds');
  const endpoint = `${base}/v1/environments/${options.environment}/outcomes`;
  const post = options.fetch ?? ((input, init) => fetch(input, init));
  const random = options.random ?? Math.random;
  const onError = (error: FlagstageError) => report(options.onError ?? warnError, error);

  // The batch: counts per flag, reason and outcome; sent as one body. Only data is shared between
  // requests: each request awaits only its own I/O (workerd forbids touching another request's).
  let counts = new Map<string, OutcomeCount>();
  let pending = 0;
  // The batch's timer, started by (and kept alive through the waitUntil of) its first outcome's request.
  let timer: object | null = null;

  const send = async (): Promise<void> => {
    timer = null;
    if (pending === 0) return;
    const batch: OutcomeBatch = { sampleRate, outcomes: [...counts.values()] };
    const dropped = pending;
    counts = new Map();
    pending = 0;
    try {
      const response = await withTimeout(
        (signal) =>
          post(endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${options.ingestKey}` },
            body: JSON.stringify(batch),
            signal,
          }),
        timeoutMs,
        () => new FlagstageError('timeout', `outcomes: the control plane did not answer within ${timeoutMs} ms; ${dropped} outcomes dropped`),
      );
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) onError(new FlagstageError('http-status', `outcomes: ${endpoint} answered ${response.status}; ${dropped} outcomes dropped (${response.status === 401 ? 'check the ingest key' : 'see the control plane status'})`));
    } catch (error) {
      onError(error instanceof FlagstageError ? error : new FlagstageError('network', `outcomes: ${endpoint} could not be reached (${problemOf(error)}); ${dropped} outcomes dropped`, { cause: error }));
    }
  };

  /** Adds one outcome; returns the I/O it started (a send, or the batch's timer), for its request's waitUntil. */
  const add = (decision: Decision<string>, outcome: Outcome): Promise<void> | undefined => {
    // Admins keep access whatever a guard does, and a denied identity did no rollout work.
    if (!decision.allowed || decision.reason === 'admin') return undefined;
    if (sampleRate < 1 && random() >= sampleRate) return undefined;
    const key = `${decision.flag}\u0000${decision.reason}\u0000${outcome}`;
    const entry = counts.get(key);
    if (entry === undefined && counts.size >= MAX_BATCH_ENTRIES) return send().then(() => add(decision, outcome));
    counts.set(key, { flag: decision.flag, reason: decision.reason, outcome, count: (entry?.count ?? 0) + 1 });
    pending += 1;
    if (pending >= maxBatch) return send();
    if (timer !== null) return undefined;
    const mine = {};
    timer = mine;
    // When it fires, the batch is sent unless it went already (full, or flushed): then it does nothing.
    return new Promise<void>((resolve) => setTimeout(resolve, flushMs)).then(() => (timer === mine ? send() : undefined));
  };

  return {
    record(decision, outcome, context) {
      try {
        const work = decision.then((made) => {
          if (outcome === 'error' || outcome === 'success') return add(made, outcome);
          onError(new FlagstageError('invalid-option', `outcomes: "${String(outcome)}" is not an outcome; track 'error' or 'success'`));
          return undefined;
        });
        const settled = work.catch((error: unknown) => onError(error instanceof FlagstageError ? error : new FlagstageError('invalid-option', `outcomes: ${problemOf(error)}`, { cause: error })));
        context?.waitUntil(settled);
      } catch (error) {
        onError(new FlagstageError('invalid-option', `outcomes: ${problemOf(error)}`, { cause: error }));
      }
    },
    flush: send,
    get pending() {
      return pending;
    },
  };
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`url "${url}" is not an absolute URL; pass the control plane's base URL, e.g. https://flagstage-control.example.workers.dev`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid(`url "${url}" must be http(s)`);
  return parsed.href.replace(/\/+$/, '');
}

function invalid(problem: string): FlagstageError {
  return new FlagstageError('invalid-option', `outcomeReporter: ${problem}`);
}
