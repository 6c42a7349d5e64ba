import { readAtMost } from '../../runtime/sources/bounded-body';
import { MAX_BATCH_BYTES } from '../../runtime/outcomes/wire';
import { ControlError, errorResponse } from '../errors';
import { OVERSIZED_HEADER } from '../internal';
import type { ControlState } from '../state/control-state';
import { ingestKeyMatches } from './ingest-key';
import type { OutcomeWindow, Refusal } from './outcome-window';
import { OutcomeBatchSchema } from './schemas';

/** The decision reasons whose outcomes a guard counts: access the rollout gave. */
const ROLLOUT_REASONS: ReadonlySet<string> = new Set(['allowlist', 'percentage']);

export interface IngestOptions {
  readonly state: ControlState;
  readonly window: OutcomeWindow;
  /** The environment's ingest key; none configured: every batch is unauthenticated. */
  readonly ingestKey: string | undefined;
}

/** A batch taken: what it counted per flag, for the guards to look at. */
export interface Ingested {
  readonly flags: readonly string[];
  readonly response: Response;
}

/**
 * `POST /v1/environments/{environment}/outcomes`, inside the environment's Durable Object and
 * outside the admin API (whose credentials it does not take): the ingest key (constant-time), then
 * the body (at most 128 KiB, read as it arrives), then the schema and the manifest's flags. A refusal
 * (401, 413, 400) stores nothing and is counted in `status.outcomes.refused`; a batch taken adds its
 * allowlist and percentage outcomes to the flags' windows.
 *
 * @example
 * ```ts
 * const { response, flags } = await ingestOutcomes(request, { state, window, ingestKey });
 * watchGuards(…, flags);
 * ```
 */
export async function ingestOutcomes(request: Request, options: IngestOptions): Promise<Ingested> {
  const refuse = (why: Refusal, error: ControlError): Ingested => {
    options.window.refused(why);
    // Oversized is a bad request (its code) answered 413, as HTTP says for a body too large.
    const response = errorResponse(error);
    return { flags: [], response: why === 'oversized' ? new Response(response.body, { status: 413, headers: response.headers }) : response };
  };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
  if (!(await ingestKeyMatches(options.ingestKey, bearer))) {
    return refuse('unauthenticated', new ControlError('unauthenticated', 'outcomes take the environment ingest key, and nothing else', { fix: "send Authorization: Bearer <the environment's ingestKey> (ing.…); admin tokens cannot report outcomes" }));
  }
  const tooLarge = () =>
    refuse('oversized', new ControlError('bad-request', `the batch is larger than ${MAX_BATCH_BYTES} bytes`, { field: 'body', fix: 'send smaller batches (outcomeReporter({ maxBatch }) bounds them)' }));
  if (request.headers.get(OVERSIZED_HEADER) !== null || Number(request.headers.get('content-length') ?? '0') > MAX_BATCH_BYTES) return tooLarge();
  const raw = await readAtMost(request, MAX_BATCH_BYTES);
  if (raw === null) return tooLarge();
  const malformed = (message: string, field: string) => refuse('malformed', new ControlError('bad-request', message, { field, fix: 'send {"sampleRate": 1, "outcomes": [{"flag": "gastown", "reason": "percentage", "outcome": "error", "count": 3}]} (outcomeReporter does)' }));
  if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) return malformed('the batch must be JSON', 'body');
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(raw));
  } catch {
    return malformed('the batch is not valid JSON', 'body');
  }
  const parsed = OutcomeBatchSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
    return malformed(`${field}: ${issue?.message ?? 'not an outcome batch'}`, field);
  }
  const flags = options.state.manifest.flags;
  const perFlag = new Map<string, { flag: string; samples: number; errors: number }>();
  let ignored = 0;
  for (const [i, entry] of parsed.data.outcomes.entries()) {
    if (!Object.prototype.hasOwnProperty.call(flags, entry.flag)) return malformed(`outcomes.${i}.flag: unknown flag "${entry.flag.slice(0, 80)}"`, `outcomes.${i}.flag`);
    if (!ROLLOUT_REASONS.has(entry.reason)) {
      ignored += entry.count;
      continue;
    }
    const counts = perFlag.get(entry.flag) ?? { flag: entry.flag, samples: 0, errors: 0 };
    counts.samples += entry.count;
    if (entry.outcome === 'error') counts.errors += entry.count;
    perFlag.set(entry.flag, counts);
  }
  const counts = [...perFlag.values()];
  options.window.add(counts, ignored);
  const counted = counts.reduce((sum, entry) => sum + entry.samples, 0);
  return { flags: counts.map((entry) => entry.flag), response: Response.json({ counted, ignored }, { status: 202, headers: { 'Cache-Control': 'no-store' } }) };
}
