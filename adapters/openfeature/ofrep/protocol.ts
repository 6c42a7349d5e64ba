import type { Flagstage } from '../../../runtime/flagstage';
import type { Identity } from '../../../runtime/identity';
import type { Decision } from '../../../runtime/policy/decision';
import type { WaitUntil } from '../../../runtime/sources/source';
import { identityFromContext } from '../context';
import { decisionMetadata, OPENFEATURE_REASONS } from '../reasons';

/** OFREP's reasons (its OpenAPI has no DEFAULT or ERROR; see `OFREP_REASONS`). */
export type OfrepReason = 'STATIC' | 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED' | 'UNKNOWN';

/**
 * OFREP 0.3's reason enum lacks OpenFeature's DEFAULT and ERROR. flagstage's answer is still a
 * definite `false` there (it fails closed), so it is sent as a success: DEFAULT (no stage rule took
 * the identity in, or its parent is off) as TARGETING_MATCH (targeting was evaluated and left it
 * out), ERROR (no document yet) as UNKNOWN. `metadata.reason` always carries flagstage's own reason.
 */
export function ofrepReason(decision: Decision<string>): OfrepReason {
  const reason = OPENFEATURE_REASONS[decision.reason];
  if (reason === 'DEFAULT') return 'TARGETING_MATCH';
  if (reason === 'ERROR') return 'UNKNOWN';
  return reason;
}

/** An HTTP answer before it becomes a Response: status, JSON body (none for 304/401/405) and headers. */
export interface OfrepAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Where the identity of a request comes from: the body's context (server-key mode) or the app's session. */
export type IdentityFrom = { readonly trust: 'context' } | { readonly trust: 'session'; readonly identity: Identity };

const PREFIX = '/ofrep/v1/evaluate/flags';

/** Which OFREP endpoint a path names (anywhere the app mounted it), or null for another path. */
export function ofrepRoute(pathname: string): { readonly bulk: true } | { readonly bulk: false; readonly key: string } | null {
  const at = pathname.lastIndexOf(PREFIX);
  if (at < 0) return null;
  const rest = pathname.slice(at + PREFIX.length);
  if (rest === '' ) return { bulk: true };
  if (!rest.startsWith('/') || rest.indexOf('/', 1) >= 0) return null;
  try {
    return { bulk: false, key: decodeURIComponent(rest.slice(1)) };
  } catch {
    return { bulk: false, key: rest.slice(1) };
  }
}

/**
 * Answers one OFREP evaluation request (the body already read as text). In `context` trust the
 * body's `context` is the identity (targetingKey, orgId, isAdmin); in `session` trust the body must
 * still be JSON but its context is ignored entirely: the session's identity decides, so a forged
 * `isAdmin` or `targetingKey` changes nothing.
 */
export async function answerOfrep(
  flags: Flagstage,
  route: { readonly bulk: true } | { readonly bulk: false; readonly key: string },
  text: string,
  from: IdentityFrom,
  ifNoneMatch: string | null,
  context?: WaitUntil,
): Promise<OfrepAnswer> {
  const key = route.bulk ? undefined : route.key;
  const failure = (errorCode: string, errorDetails: string): OfrepAnswer => ({ status: 400, body: key === undefined ? { errorCode, errorDetails } : { key, errorCode, errorDetails } });

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return failure('PARSE_ERROR', 'the request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return failure('PARSE_ERROR', 'the request body must be a JSON object with a context');

  let identity: Identity;
  if (from.trust === 'session') {
    identity = from.identity;
  } else {
    const context = (body as { context?: unknown }).context;
    if (typeof context !== 'object' || context === null || Array.isArray(context)) return failure('INVALID_CONTEXT', 'the request body needs a context object');
    const mapped = identityFromContext(context as Record<string, unknown>);
    if ('problem' in mapped) return failure(mapped.problem.errorCode, mapped.problem.message.replace(/^flagstage: /, ''));
    identity = mapped.identity;
  }

  const known = (flag: string) => Object.prototype.hasOwnProperty.call(flags.manifest.flags, flag);
  if (key !== undefined) {
    if (key === '') return failure('GENERAL', 'the path names no flag key');
    if (!known(key)) return { status: 404, body: { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag "${key}" is not in the manifest` } };
    return { status: 200, body: evaluation(await flags.decide(key as never, identity, context)) };
  }

  const decisions = await Promise.all(Object.keys(flags.manifest.flags).map((flag) => flags.decide(flag as never, identity, context)));
  const revision = decisions[0]?.revision ?? null;
  const payload = { flags: decisions.map(evaluation), ...(revision === null ? {} : { metadata: { revision } }) };
  const etag = await etagOf(payload);
  if (ifNoneMatch !== null && matches(ifNoneMatch, etag)) return { status: 304, headers: { etag } };
  return { status: 200, body: payload, headers: { etag } };
}

function evaluation(decision: Decision<string>) {
  return { key: decision.flag, value: decision.allowed, reason: ofrepReason(decision), variant: decision.allowed ? 'on' : 'off', metadata: decisionMetadata(decision) };
}

/** A strong ETag over the answers themselves: it changes exactly when this identity's flags do. */
async function etagOf(payload: unknown): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(payload))));
  return `"${Array.from(digest.slice(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('')}"`;
}

function matches(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === etag;
  });
}

/** The Response for an answer: JSON where there is a body, nothing else (no stack, no internals). */
export function toResponse(answer: OfrepAnswer): Response {
  const headers = new Headers(answer.headers);
  if (answer.body === undefined) return new Response(null, { status: answer.status, headers });
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
}

/** 500 with OFREP's general error body: the details never carry the thrown message or a stack. */
export const INTERNAL_ERROR: OfrepAnswer = { status: 500, body: { errorDetails: 'flagstage: the evaluation failed on the server' } };
