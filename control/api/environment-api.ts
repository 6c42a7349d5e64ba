import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createFlagstage } from '../../runtime/flagstage';
import type { EnvironmentDocument } from '../../runtime/engine/index';
import type { Identity } from '../../runtime/identity';
import { lineage, type FlagRollout } from '../../runtime/stages/index';
import { readAtMost } from '../../runtime/sources/bounded-body';
import { staticSource } from '../../runtime/sources/static';
import { authenticate } from '../auth/authenticate';
import { allows, type Caller } from '../auth/roles';
import { ControlError, errorResponse } from '../errors';
import { OVERSIZED_HEADER } from '../internal';
import type { AuthOptions } from '../options';
import type { AuditRecord, ChangeInput, ControlState, DeliveryRecord } from '../state/control-state';
import { roleFor, routes } from './routes';
import type { IngestCounters } from '../guard/outcome-window';
import { explain } from '../../runtime/explain/index';

export interface EnvironmentApiOptions {
  /** The environment's state (created on first use by the Durable Object). */
  readonly state: () => ControlState;
  readonly auth: () => AuthOptions;
  readonly maxBodyBytes: number;
  /** Outcome batches taken and refused (control/guard), shown in status. */
  readonly outcomes: () => IngestCounters;
  /** Called after a change committed (the Durable Object pushes webhooks). */
  readonly onCommitted: () => void;
}

type Env = { Variables: { caller: Caller } };

/**
 * The admin API of one environment, served inside its Durable Object: authentication and roles,
 * body limits, request validation by the routes' zod schemas, then ControlState. Every answer is
 * JSON; errors are `{ error, message, field?, fix? }` and never carry a stack.
 *
 * @example
 * ```ts
 * const api = environmentApi({ state: () => state, auth: () => auth, maxBodyBytes: 262_144, onCommitted: push });
 * return api.fetch(request);
 * ```
 */
export function environmentApi(options: EnvironmentApiOptions): OpenAPIHono<Env> {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) return errorResponse(validationError(result.error, result.target));
      return undefined;
    },
  });

  app.onError((error) => errorResponse(error instanceof ControlError ? error : new ControlError('internal', 'the control plane failed; nothing was changed')));
  app.notFound(() => errorResponse(new ControlError('not-found', 'no such route', { fix: 'see /v1/openapi.json for the routes' })));

  app.use('/v1/environments/:environment/*', async (c, next) => {
    const state = options.state();
    if (c.req.param('environment') !== state.environment) throw new ControlError('not-found', `no environment "${c.req.param('environment')}" here`, { field: 'environment' });
    const caller = await authenticate(c.req.raw, options.auth());
    if ('failure' in caller) throw new ControlError('unauthenticated', unauthenticatedMessage(caller.failure), { fix: 'send Authorization: Bearer <token>, or sign in through Cloudflare Access' });
    const needed = roleFor(c.req.method, c.req.path);
    if (!allows(caller.role, needed)) throw new ControlError('forbidden', `${caller.actor} is a ${caller.role}; this needs the ${needed} role`, { fix: `ask an owner for a token with the ${needed} role` });
    c.set('caller', caller);
    if (c.req.method === 'POST') await readJsonBody(c, options.maxBodyBytes);
    await next();
  });

  app.openapi(routes.status, (c) => {
    const state = options.state();
    const { revision, document } = state.current();
    const rollouts = state.rollouts();
    const last = state.lastChanges();
    const flags = Object.values(state.manifest.flags).map((definition) => {
      const rollout = rollouts[definition.key];
      if (!rollout) throw new ControlError('internal', 'the document lacks a flag');
      const killedBy = lineage(state.manifest, definition.key).find((key) => rollouts[key]?.killed === true) ?? null;
      const change = last[definition.key];
      return {
        flag: definition.key,
        feature: definition.feature,
        parent: definition.parent,
        stage: rollout.stage,
        killed: rollout.killed,
        killedBy,
        allowlist: { users: [...rollout.allowlist.users], orgs: [...rollout.allowlist.orgs] },
        percentage: rollout.percentage,
        lastChange: change ? { at: change.at, actor: change.actor, command: change.command, reason: change.reason, revision: change.revision } : null,
      };
    });
    return c.json({ environment: state.environment, revision, updatedAt: document.updated_at, flags, webhooks: state.deliveries().map(deliveryView), outcomes: options.outcomes() }, 200);
  });

  app.openapi(routes.document, (c) => {
    const { revision, body } = options.state().current();
    return c.json({ revision, document: JSON.parse(body) }, 200);
  });

  const change = (input: (body: never) => ChangeInput) => (c: Context<Env>) => {
    const body = (c.req as unknown as { valid(target: 'json'): { reason: string } }).valid('json');
    const outcome = options.state().change(c.req.param('flag') ?? '', input(body as never), { actor: c.get('caller').actor, reason: body.reason, ifMatch: ifMatch(c.req.header('if-match')) });
    if (outcome.changed) options.onCommitted();
    return c.json({ ...outcome, notes: [...outcome.notes], before: rolloutView(outcome.before), after: rolloutView(outcome.after), audit: outcome.audit ? auditView(outcome.audit) : null }, 200);
  };

  app.openapi(routes.stage, change((body: { stage: ChangeInput & { command: 'stage' } extends { stage: infer S } ? S : never; force?: boolean }) => ({ command: 'stage', stage: body.stage, ...(body.force === undefined ? {} : { force: body.force }) })) as never);
  app.openapi(routes.allow, change((body: { users?: string[]; orgs?: string[] }) => ids('allow', body)) as never);
  app.openapi(routes.disallow, change((body: { users?: string[]; orgs?: string[] }) => ids('disallow', body)) as never);
  app.openapi(routes.percent, change((body: { value: number; by?: 'user' | 'org' }) => ({ command: 'percent', value: body.value, ...(body.by === undefined ? {} : { by: body.by }) })) as never);
  app.openapi(routes.kill, change(() => ({ command: 'kill' })) as never);
  app.openapi(routes.revive, change(() => ({ command: 'revive' })) as never);

  app.openapi(routes.explain, async (c) => {
    const state = options.state();
    const flag = state.resolveFlag(c.req.valid('param').flag);
    const { revision, document } = state.current();
    const flags = createFlagstage({ manifest: state.manifest, source: staticSource(document as unknown as EnvironmentDocument), logChanges: false });
    const identities = c.req.valid('json').identities.map(
      (identity): Identity => ({ userId: identity.userId, orgId: identity.orgId ?? null, isAdmin: identity.isAdmin === true, ...(identity.traits ? { traits: identity.traits } : {}) }),
    );
    const decisions = [];
    for (const identity of identities) decisions.push({ ...(await flags.decide(flag as never, identity)), flag, userId: identity.userId });
    const single = identities.length === 1 && identities[0] ? JSON.parse(JSON.stringify(await explain(flags, flag as never, identities[0]))) : null;
    return c.json({ revision, decisions, explanation: single }, 200);
  });

  app.openapi(routes.audit, (c) => {
    const query = c.req.valid('query');
    const page = options.state().audit({ ...(query.flag === undefined ? {} : { flag: query.flag }), ...(query.cursor === undefined ? {} : { cursor: query.cursor }), ...(query.limit === undefined ? {} : { limit: query.limit }) });
    return c.json({ entries: page.items.map(auditView), next: page.next }, 200);
  });

  app.openapi(routes.history, (c) => {
    const query = c.req.valid('query');
    const page = options.state().history({ ...(query.flag === undefined ? {} : { flag: query.flag }), ...(query.cursor === undefined ? {} : { cursor: query.cursor }), ...(query.limit === undefined ? {} : { limit: query.limit }) });
    return c.json({ revisions: page.items.map((item) => ({ ...item, flags: [...item.flags] })), next: page.next }, 200);
  });

  app.openapi(routes.revision, (c) => {
    const revision = c.req.valid('param').revision;
    const body = options.state().revisionDocument(revision);
    return c.json({ revision, document: JSON.parse(body) }, 200);
  });

  app.openapi(routes.rollback, (c) => {
    const body = c.req.valid('json');
    const outcome = options.state().rollback(body.revision, { actor: c.get('caller').actor, reason: body.reason, ifMatch: ifMatch(c.req.header('if-match')) });
    if (outcome.changed) options.onCommitted();
    return c.json({ ...outcome, audit: outcome.audit.map(auditView) }, 200);
  });

  return app;
}

function ids(command: 'allow' | 'disallow', body: { users?: string[]; orgs?: string[] }): ChangeInput {
  const users = body.users ?? [];
  const orgs = body.orgs ?? [];
  if (users.length === 0 && orgs.length === 0) throw new ControlError('bad-request', 'name at least one user or org', { field: 'users', fix: 'send "users": ["id", …] and/or "orgs": ["id", …]' });
  return { command, users, orgs };
}

/** `If-Match: 7`, `"7"` or `W/"7"`; anything else is a bad request. */
function ifMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(header.trim());
  if (!match) throw new ControlError('bad-request', `If-Match "${header.slice(0, 40)}" is not a revision`, { field: 'If-Match', fix: 'send the revision number you read, e.g. If-Match: "12"' });
  return Number(match[1]);
}

/** Reads the body once, within the limit, and checks it is a JSON object (the validator reads it again from Hono's cache). */
async function readJsonBody(c: Context<Env>, maxBytes: number): Promise<void> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes || c.req.header(OVERSIZED_HEADER) !== undefined) throw tooLarge(maxBytes);
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ControlError('bad-request', 'the body must be JSON', { field: 'body', fix: 'send Content-Type: application/json with a JSON object' });
  const body = await readAtMost(c.req.raw, maxBytes);
  if (body === null) throw tooLarge(maxBytes);
  let text: string;
  let parsed: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
    parsed = JSON.parse(text);
  } catch {
    throw new ControlError('bad-request', 'the body is not valid JSON', { field: 'body', fix: 'send a JSON object, e.g. {"reason": "…"}' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ControlError('bad-request', 'the body must be a JSON object', { field: 'body', fix: 'send a JSON object, e.g. {"reason": "…"}' });
  // Hono's validator reads the body through this cache, since the stream is consumed.
  (c.req as unknown as { bodyCache: { text?: Promise<string> } }).bodyCache.text = Promise.resolve(text);
}

function tooLarge(maxBytes: number): ControlError {
  return new ControlError('bad-request', `the body is larger than ${maxBytes} bytes`, { field: 'body', fix: 'split the change into smaller ones (e.g. fewer IDs per request)' });
}

function validationError(error: { issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[] }, target: string): ControlError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : target === 'json' ? 'body' : target;
  const message = issue ? `${field}: ${issue.message}` : `invalid ${target}`;
  return new ControlError('bad-request', message, { field, fix: fixFor(field, issue?.code) });
}

function fixFor(field: string, code: string | undefined): string {
  const top = field.split('.')[0];
  if (top === 'reason') return 'say why in "reason" (1 to 2,000 characters); it goes to the audit log';
  if (top === 'stage') return 'use one of admin-only, allowlist, percentage, ga';
  if (top === 'value') return 'send a number from 0 to 100';
  if (top === 'by') return 'use user or org';
  if (top === 'users' || top === 'orgs') return "send IDs that are non-empty, at most 1,000 characters, without commas and not JSON arrays";
  if (top === 'revision') return 'send a revision number from the history';
  if (code === 'unrecognized_keys') return 'remove the fields this route does not take (see /v1/openapi.json)';
  return 'see /v1/openapi.json for what this route takes';
}

function unauthenticatedMessage(failure: string): string {
  if (failure === 'missing-credentials') return 'no credentials';
  if (failure === 'invalid-token') return 'the bearer token is not valid';
  return 'the Cloudflare Access assertion did not verify';
}

/** An audit record as plain mutable JSON (the API's schema types). */
export function auditView(record: AuditRecord) {
  return { ...record, args: [...record.args], before: rolloutView(record.before), after: rolloutView(record.after) };
}

/** A rollout as a plain mutable JSON object (the API's schema types). */
export function rolloutView(rollout: FlagRollout) {
  return {
    flag: rollout.flag,
    stage: rollout.stage,
    killed: rollout.killed,
    allowlist: { users: [...rollout.allowlist.users], orgs: [...rollout.allowlist.orgs] },
    percentage: rollout.percentage === null ? null : { value: rollout.percentage.value, by: rollout.percentage.by },
  };
}

function deliveryView(record: DeliveryRecord) {
  return {
    url: record.url,
    revision: record.revision,
    state: record.state,
    attempts: record.attempts,
    nextAttemptAt: record.state === 'pending' ? new Date(record.nextAt).toISOString() : null,
    lastError: record.lastError,
    deliveredAt: record.deliveredAt,
  };
}
