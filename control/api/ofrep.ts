import type { Hono } from 'hono';
import { ofrepServer } from '../../adapters/openfeature/ofrep/server-key';
import { INTERNAL_ERROR, toResponse } from '../../adapters/openfeature/ofrep/protocol';
import type { EnvironmentDocument } from '../../runtime/engine/index';
import { createFlagstage } from '../../runtime/flagstage';
import type { Manifest } from '../../runtime/manifest/types';
import { staticSource } from '../../runtime/sources/static';

/** What the OFREP routes need from the control plane. */
export interface OfrepHost<E extends object> {
  /** The environment whose server key this is (compared in constant time), or null. */
  environmentForKey(env: E, key: string): Promise<string | null>;
  /** That environment's server key: the one key its OFREP handler accepts. */
  serverKey(env: E, environment: string): string;
  manifest(env: E): Manifest;
  /** The environment's document when its revision is not `known` (else null: unchanged, a 304 from the Durable Object). */
  documentSince(env: E, environment: string, known: number | null): Promise<{ readonly revision: number; readonly body: string } | null>;
}

type Handler = (request: Request, context?: { waitUntil(promise: Promise<unknown>): void }) => Promise<Response>;

/**
 * OFREP in server-key mode on the control plane: `POST /ofrep/v1/evaluate/flags[/{key}]`. The key
 * (`X-API-Key` or `Authorization: Bearer`) is an environment's server key and picks the environment;
 * its holder is trusted with any context, as for the document endpoint. Each environment gets its
 * own `ofrepServer` (which checks the key again, in constant time) over its current document: the
 * Durable Object is asked on every request whether the revision changed (a 304 when not), so an
 * answer never lags a change.
 */
export function mountOfrep<E extends object>(app: Hono<{ Bindings: E }>, host: OfrepHost<E>): void {
  // Per isolate: the environment's handler over the revision it was built from.
  const built = new Map<string, { readonly revision: number; readonly handler: Handler }>();
  const handlerFor = async (env: E, environment: string): Promise<Handler> => {
    const held = built.get(environment);
    const fresh = await host.documentSince(env, environment, held?.revision ?? null);
    if (fresh === null && held) return held.handler;
    if (fresh === null) throw new Error('flagstage: the environment document could not be read');
    const flags = createFlagstage({ manifest: host.manifest(env), source: staticSource(JSON.parse(fresh.body) as EnvironmentDocument) });
    // The manifest is the deployment's, not the one this package registers for its own types.
    const handler = ofrepServer(flags as unknown as Parameters<typeof ofrepServer>[0], { keys: [host.serverKey(env, environment)] });
    built.set(environment, { revision: fresh.revision, handler });
    return handler;
  };

  const serve = async (request: Request, env: E, context: { waitUntil(promise: Promise<unknown>): void } | undefined): Promise<Response> => {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    const presented = (request.headers.get('x-api-key') ?? bearer ?? '').trim();
    const environment = presented === '' ? null : await host.environmentForKey(env, presented);
    if (environment === null) {
      if (request.method !== 'POST') return toResponse({ status: 405, headers: { allow: 'POST' } });
      return toResponse({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    }
    try {
      return await (await handlerFor(env, environment))(request, context);
    } catch {
      return toResponse(INTERNAL_ERROR);
    }
  };
  const route = (c: { req: { raw: Request }; env: E; executionCtx: unknown }) => {
    let context: { waitUntil(promise: Promise<unknown>): void } | undefined;
    try {
      context = c.executionCtx as { waitUntil(promise: Promise<unknown>): void };
    } catch {
      context = undefined; // no ExecutionContext (a test calling fetch directly)
    }
    return serve(c.req.raw, c.env, context);
  };
  app.all('/ofrep/v1/evaluate/flags', route);
  app.all('/ofrep/v1/evaluate/flags/:key', route);
}
