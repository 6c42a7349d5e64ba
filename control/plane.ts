import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { Manifest } from '../runtime/manifest/types';
import { environmentApi } from './api/environment-api';
import { mountOfrep } from './api/ofrep';
import { routes, workerRoutes } from './api/routes';
import { authenticate, type AuthFailure } from './auth/authenticate';
import type { Caller } from './auth/roles';
import { checkSessionOptions, type SessionOptions } from './admin/session';
import { checkTokens } from './auth/tokens';
import { ControlError, errorResponse } from './errors';
import { INTERNAL_HEADER, OVERSIZED_HEADER } from './internal';
import { ENVIRONMENT_NAME, resolveConfigured, type AuthOptions, type ControlPlaneOptions, type EnvironmentConfig, type WebhookTarget } from './options';
import type { DurableNamespace, DurableState, ExecutionContextLike } from './platform';
import { postWebhook, retryDelayMs } from './push/webhooks';
import { ControlState } from './state/control-state';
import { registerPlanRoutes } from './plans/api';
import { planRoutes } from './plans/routes';
import { PlanStore } from './plans/store';
import { checkIngestKey, guardRoutes, notifyTrip, OutcomeGuard, OUTCOMES_PATH, tripPayload } from './guard/index';
import { readAtMost } from '../runtime/sources/bounded-body';

/** What mounted routes get: the environments and their documents, read through their Durable Objects. */
export interface ControlPlaneHandle<E extends object> {
  /** The environments configured. */
  environments(env: E): readonly string[];
  /** An environment's current document (JSON text) and revision, or null for an unknown environment. */
  document(env: E, environment: string): Promise<{ readonly revision: number; readonly body: string } | null>;
  /** The environment whose server key this is (compared in constant time), or null. */
  environmentForKey(env: E, key: string): Promise<string | null>;
  /** Who a request's credentials name (bearer token, admin session or Access assertion), as the API sees it. */
  authenticate(env: E, request: Request): Promise<Caller | { readonly failure: AuthFailure }>;
  /** The admin page's session settings (`auth.sessions`), or null when none are configured. */
  sessions(env: E): SessionOptions | null;
  /** The manifest the environments hold. */
  manifest(env: E): Manifest;
}

/** What `createControlPlane` returns: the Worker's handler and the Durable Object class to export. */
export interface ControlPlane<E extends object> {
  /** The Worker's `fetch`. */
  readonly fetch: (request: Request, env: E, ctx?: ExecutionContextLike) => Promise<Response>;
  /** The Durable Object class; export it under the `class_name` of wrangler.jsonc's binding. */
  readonly DurableObject: new (ctx: DurableState, env: E) => {
    fetch(request: Request): Promise<Response>;
    alarm(): Promise<void>;
  };
  /** The OpenAPI 3.1 document of the API (also served at `/v1/openapi.json`). */
  openapi(): Record<string, unknown>;
  /**
   * Mounts extra routes on the Worker (an OFREP endpoint, an admin page) before the control
   * plane's own; they get the handle to read documents.
   */
  mount(register: (app: Hono<{ Bindings: E }>, plane: ControlPlaneHandle<E>) => void): void;
}



const INTERNAL_ORIGIN = 'https://flagstage-control.internal';

/**
 * The flagstage control plane: one Worker and one SQLite-backed Durable Object per environment
 * holding the current document (Flagsmith's format), every revision and an append-only audit log.
 * It serves the document at Flagsmith's `GET /api/v1/environment-document/` (so `flagsmithSource`
 * reads it unchanged), an admin API under `/v1/environments/{environment}/…` (OpenAPI at
 * `/v1/openapi.json`), and pushes Flagsmith-signed webhooks after every change.
 *
 * @example
 * ```ts
 * import { createControlPlane } from 'flagstage/control';
 * import { manifest } from './flags.gen';
 *
 * const plane = createControlPlane<Env>({
 *   manifest,
 *   environments: (env) => ({ production: { serverKey: env.PRODUCTION_SERVER_KEY } }),
 *   auth: (env) => ({ tokens: JSON.parse(env.FLAGSTAGE_TOKENS) }),
 *   webhooks: (env) => [{ url: 'https://app.example.com/flagsmith/webhook', secret: env.WEBHOOK_SECRET }],
 * });
 * export const FlagstageControl = plane.DurableObject;
 * export default { fetch: plane.fetch };
 * ```
 */
export function createControlPlane<E extends object = Record<string, unknown>>(options: ControlPlaneOptions<E>): ControlPlane<E> {
  const bindingName = options.binding ?? 'FLAGSTAGE_CONTROL';
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  const mounted: ((app: Hono<{ Bindings: E }>, plane: ControlPlaneHandle<E>) => void)[] = [];

  // Settings are resolved once per bindings object (one per isolate): an Access key set keeps its cache.
  const resolved = new WeakMap<object, { environments?: Readonly<Record<string, EnvironmentConfig>>; auth?: AuthOptions }>();
  const slot = (env: E) => {
    let entry = resolved.get(env);
    if (!entry) resolved.set(env, (entry = {}));
    return entry;
  };
  const environmentsOf = (env: E): Readonly<Record<string, EnvironmentConfig>> => {
    const cached = slot(env).environments;
    if (cached) return cached;
    const environments = resolveConfigured(options.environments, env);
    for (const [name, config] of Object.entries(environments)) {
      if (!ENVIRONMENT_NAME.test(name)) throw new Error(`flagstage: control plane environment "${name}": use lower-case letters, digits, - and _ (e.g. production)`);
      if (typeof config.serverKey !== 'string' || !config.serverKey.startsWith('ser.') || config.serverKey.length < 12) {
        throw new Error(`flagstage: control plane environment "${name}": serverKey must start with "ser." and be at least 12 characters (a secret: wrangler secret put)`);
      }
      checkIngestKey(name, config);
    }
    slot(env).environments = environments;
    return environments;
  };
  const authOf = (env: E): AuthOptions => {
    const cached = slot(env).auth;
    if (cached) return cached;
    const auth = resolveConfigured(options.auth, env);
    checkTokens(auth.tokens ?? []);
    if (auth.sessions) checkSessionOptions(auth.sessions);
    slot(env).auth = auth;
    return auth;
  };
  const namespaceOf = (env: E): DurableNamespace => {
    const namespace = (env as Record<string, unknown>)[bindingName] as DurableNamespace | undefined;
    if (!namespace || typeof namespace.idFromName !== 'function') {
      throw new Error(`flagstage: the control plane needs its Durable Object binding "${bindingName}" (see control/template/wrangler.jsonc)`);
    }
    return namespace;
  };
  const stubFor = (env: E, environment: string) => {
    const namespace = namespaceOf(env);
    return namespace.get(namespace.idFromName(environment));
  };

  const handle: ControlPlaneHandle<E> = {
    environments: (env) => Object.keys(environmentsOf(env)),
    authenticate: (env, request) => authenticate(request, authOf(env)),
    sessions: (env) => authOf(env).sessions ?? null,
    manifest: (env) => resolveConfigured(options.manifest, env),
    async environmentForKey(env, key) {
      const presented = await sha256(key);
      let found: string | null = null;
      for (const [name, config] of Object.entries(environmentsOf(env))) {
        const expected = await sha256(config.serverKey);
        let difference = 0;
        for (let i = 0; i < expected.length; i += 1) difference |= (expected[i] ?? 0) ^ (presented[i] ?? 0);
        if (difference === 0 && found === null) found = name;
      }
      return found;
    },
    async document(env, environment) {
      if (!Object.prototype.hasOwnProperty.call(environmentsOf(env), environment)) return null;
      const response = await stubFor(env, environment).fetch(internalRequest(environment, '/internal/document'));
      if (!response.ok) throw new Error(`flagstage: the ${environment} document could not be read (${response.status})`);
      return { revision: Number((response.headers.get('etag') ?? '').replace(/"/g, '')), body: await response.text() };
    },
  };

  const spec = new OpenAPIHono();
  for (const route of [...Object.values(routes), ...Object.values(planRoutes), ...Object.values(guardRoutes), ...Object.values(workerRoutes)]) spec.openAPIRegistry.registerPath(route);
  spec.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'A token from the control plane (stored as its SHA-256)' });
  spec.openAPIRegistry.registerComponent('securitySchemes', 'access', { type: 'apiKey', in: 'header', name: 'Cf-Access-Jwt-Assertion', description: 'Cloudflare Access' });
  spec.openAPIRegistry.registerComponent('securitySchemes', 'ingest', { type: 'http', scheme: 'bearer', description: "The environment's ingest key (ing.…): outcomes only" });
  let document: Record<string, unknown> | null = null;
  const openapi = (): Record<string, unknown> => {
    document ??= spec.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'flagstage control plane', version: '1', description: 'Flags, history and audit of one or more environments; the Flagsmith-compatible document endpoint.' },
    }) as unknown as Record<string, unknown>;
    return document;
  };

  let app: Hono<{ Bindings: E }> | null = null;
  const workerApp = (): Hono<{ Bindings: E }> => {
    if (app) return app;
    const built = new OpenAPIHono<{ Bindings: E }>();
    built.onError((error) => errorResponse(error instanceof ControlError ? error : new ControlError('internal', 'the control plane failed; nothing was changed')));
    built.notFound(() => errorResponse(new ControlError('not-found', 'no such route', { fix: 'see /v1/openapi.json for the routes' })));
    for (const register of mounted) register(built as unknown as Hono<{ Bindings: E }>, handle);
    mountOfrep(built as unknown as Hono<{ Bindings: E }>, {
      environmentForKey: handle.environmentForKey,
      serverKey: (env, environment) => environmentsOf(env)[environment]!.serverKey,
      manifest: handle.manifest,
      async documentSince(env, environment, known) {
        const headers: Record<string, string> = known === null ? {} : { 'if-none-match': `"${known}"` };
        const response = await stubFor(env, environment).fetch(internalRequest(environment, '/internal/document', { headers }));
        if (response.status === 304) return null;
        if (!response.ok) throw new Error(`flagstage: the ${environment} document could not be read (${response.status})`);
        return { revision: Number((response.headers.get('etag') ?? '').replace(/"/g, '')), body: await response.text() };
      },
    });

    built.get('/v1/openapi.json', (c) => c.json(openapi()));

    built.get('/api/v1/environment-document/', async (c) => {
      const key = c.req.header('x-environment-key') ?? '';
      const environment = key === '' ? null : await handle.environmentForKey(c.env, key);
      if (environment === null) {
        throw new ControlError('unauthenticated', key === '' ? 'no X-Environment-Key' : 'unknown environment key', { field: 'X-Environment-Key', fix: "send the environment's server key (ser.…)" });
      }
      const headers: Record<string, string> = {};
      const ifNoneMatch = c.req.header('if-none-match');
      if (ifNoneMatch) headers['if-none-match'] = ifNoneMatch;
      return stubFor(c.env, environment).fetch(internalRequest(environment, '/internal/document', { headers }));
    });

    built.get('/v1/environments', async (c) => {
      const caller = await authenticate(c.req.raw, authOf(c.env));
      if ('failure' in caller) throw new ControlError('unauthenticated', 'no valid credentials', { fix: 'send Authorization: Bearer <token>, or sign in through Cloudflare Access' });
      return c.json({ environments: handle.environments(c.env) });
    });

    built.all('/v1/environments/:environment/*', async (c) => {
      const environment = c.req.param('environment');
      if (!Object.prototype.hasOwnProperty.call(environmentsOf(c.env), environment)) {
        throw new ControlError('not-found', `no environment "${environment}"`, { field: 'environment', fix: `use one of ${handle.environments(c.env).join(', ')}` });
      }
      // The body is read here, within the limit, so the Durable Object never refuses a request
      // while its body is still streaming in (and never sees an oversized one).
      const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? null : await readBody(c.req.raw, maxBodyBytes);
      const headers = new Headers(c.req.raw.headers);
      headers.set(INTERNAL_HEADER, environment);
      headers.delete(OVERSIZED_HEADER);
      if (body === 'too-large') headers.set(OVERSIZED_HEADER, '1');
      return stubFor(c.env, environment).fetch(new Request(c.req.url, { method: c.req.method, headers, body: body === 'too-large' ? null : body }));
    });
    app = built as unknown as Hono<{ Bindings: E }>;
    return app;
  };

  class FlagstageControl {
    readonly #ctx: DurableState;
    readonly #env: E;
    #state: ControlState | null = null;
    #plans: PlanStore | null = null;
    #guard: OutcomeGuard | null = null;
    #api: ReturnType<typeof environmentApi> | null = null;
    #pushing: Promise<void> | null = null;
    #planRoutes = false;

    constructor(ctx: DurableState, env: E) {
      this.#ctx = ctx;
      this.#env = env;
    }

    /** The environment's state, created on first use; the name comes from the Worker once and is kept. */
    #stateFor(name: string | null): ControlState {
      if (this.#state) return this.#state;
      const sql = this.#ctx.storage.sql;
      sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const stored = sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'environment'`).toArray()[0]?.value ?? null;
      const environment = stored ?? name;
      if (environment === null) throw new ControlError('internal', 'this Durable Object has no environment yet');
      if (stored === null) sql.exec(`INSERT INTO meta (key, value) VALUES ('environment', ?)`, environment);
      const manifest: Manifest = resolveConfigured(options.manifest, this.#env);
      const state = new ControlState(this.#ctx.storage, { manifest, environment, ...(options.now ? { now: options.now } : {}) });
      state.setWebhookUrls(this.#targets(environment).map((target) => target.url));
      this.#state = state;
      this.#plans = new PlanStore(this.#ctx.storage, state, options.now ? { now: options.now } : {});
      return state;
    }

    /** The environment's rollout plans (control/plans), beside its state. */
    #plansFor(name: string | null): PlanStore {
      this.#stateFor(name);
      if (!this.#plans) throw new ControlError('internal', 'the plans were not opened');
      return this.#plans;
    }

    /** The environment's guard (control/guard): outcomes, their window, the plans' guards. */
    #guardFor(state: ControlState): OutcomeGuard {
      this.#guard ??= new OutcomeGuard({
        storage: this.#ctx.storage,
        state,
        plans: () => this.#plansFor(null),
        ingestKey: () => resolveConfigured(options.environments, this.#env)[state.environment]?.ingestKey,
        now: options.now ?? Date.now,
        onTrip: (trip) => {
          // The kill goes out as the usual document webhook (retried); the trip as its own notification.
          this.#ctx.waitUntil(this.#push());
          this.#ctx.waitUntil(notifyTrip(this.#targets(state.environment), tripPayload(state.environment, trip)));
        },
      });
      return this.#guard;
    }

    #targets(environment: string): readonly WebhookTarget[] {
      return options.webhooks ? options.webhooks(this.#env, environment) : [];
    }

    async fetch(request: Request): Promise<Response> {
      try {
        const state = this.#stateFor(request.headers.get(INTERNAL_HEADER));
        const url = new URL(request.url);
        if (url.pathname === '/internal/document') return documentResponse(state, request.headers.get('if-none-match'));
        // Outcomes take the ingest key, which the admin API does not know: they never reach it.
        if (request.method === 'POST' && OUTCOMES_PATH.test(url.pathname)) return await this.#guardFor(state).ingest(request);
        this.#api ??= environmentApi({
          state: () => state,
          auth: () => authOf(this.#env),
          maxBodyBytes,
          outcomes: () => this.#guardFor(state).counters(),
          onCommitted: () => this.#ctx.waitUntil(this.#push()),
        });
        if (!this.#planRoutes) {
          registerPlanRoutes(this.#api, { state: () => state, plans: () => this.#plansFor(null), scheduled: () => this.#arm(), guardWindow: (plan) => this.#guardFor(state).reading(plan) });
          this.#planRoutes = true;
        }
        return await this.#api.fetch(request);
      } catch (error) {
        return errorResponse(error instanceof ControlError ? error : new ControlError('internal', 'the control plane failed; nothing was changed'));
      }
    }

    /**
     * The one alarm, shared: it applies the plan steps due now (control/plans, exactly once: each
     * step commits with the plan's progress), then retries webhook deliveries (every pending one,
     * since the alarm is set for the earliest), then arms itself for whichever comes next.
     */
    async alarm(): Promise<void> {
      this.#plansFor(null).runDue();
      await this.#push(true);
    }

    /** Sets the alarm for the earliest of the next webhook retry and the next plan step. */
    async #arm(): Promise<void> {
      const state = this.#stateFor(null);
      const times = [state.nextDeliveryAt(), this.#plansFor(null).nextStepAt()].filter((at): at is number => at !== null);
      if (times.length === 0) return;
      const at = Math.min(...times);
      if ((await this.#ctx.storage.getAlarm()) !== at) await this.#ctx.storage.setAlarm(at);
    }

    /** Delivers what is due, one pass at a time, then arms the alarm for the next retry. */
    #push(everyPending = false): Promise<void> {
      if (this.#pushing) return this.#pushing.then(() => this.#push(everyPending));
      const run = (async () => {
        const state = this.#stateFor(null);
        const targets = this.#targets(state.environment);
        for (let pass = 0; ; pass += 1) {
          const now = (options.now ?? Date.now)();
          const due = state.dueDeliveries(everyPending && pass === 0 ? Number.MAX_SAFE_INTEGER : now);
          if (due.length === 0) break;
          await Promise.all(
            due.map(async (delivery) => {
              const target = targets.find((candidate) => candidate.url === delivery.url);
              const meta = state.history({ cursor: String(delivery.revision - 1), limit: 1 }).items[0];
              const result = target
                ? await postWebhook(target, {
                    event_type: 'FLAG_UPDATED',
                    data: {
                      changed_by: meta?.actor ?? 'flagstage',
                      timestamp: new Date(now).toISOString(),
                      environment: state.environment,
                      new_state: { revision: delivery.revision },
                      previous_state: { revision: delivery.revision - 1 },
                    },
                  }, 10_000)
                : ({ ok: false, error: 'no longer configured' } as const);
              state.recordAttempt(delivery.id, result.ok ? result : { ok: false, error: result.error, retryAt: (options.now ?? Date.now)() + retryDelayMs(delivery.attempts + 1) });
            }),
          );
          // Anything still pending now waits for its retry time.
          if (state.dueDeliveries((options.now ?? Date.now)()).length === 0) break;
        }
        await this.#arm();
      })();
      this.#pushing = run.finally(() => {
        this.#pushing = null;
      });
      return this.#pushing;
    }
  }

  return {
    fetch: (request, env, ctx) => workerApp().fetch(request, env, ctx as Parameters<Hono['fetch']>[2]) as Promise<Response>,
    DurableObject: FlagstageControl,
    openapi,
    mount(register) {
      if (app) throw new Error('flagstage: mount routes before the control plane serves its first request');
      mounted.push(register);
    },
  };
}

function documentResponse(state: ControlState, ifNoneMatch: string | null): Response {
  const { revision, body } = state.current();
  const etag = `"${revision}"`;
  const headers = { ETag: etag, 'Cache-Control': 'no-cache', 'Content-Type': 'application/json' };
  const tags = (ifNoneMatch ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (tags.includes(etag) || tags.includes('*')) return new Response(null, { status: 304, headers });
  return new Response(body, { status: 200, headers });
}

/** The body, or 'too-large' as soon as it passes `max` bytes (a chunked body is counted as it arrives). */
async function readBody(request: Request, max: number): Promise<ArrayBuffer | 'too-large'> {
  if (Number(request.headers.get('content-length') ?? '0') > max) return 'too-large';
  return (await readAtMost(request, max)) ?? 'too-large';
}

function internalRequest(environment: string, path: string, init: { readonly headers?: Record<string, string> } = {}): Request {
  return new Request(`${INTERNAL_ORIGIN}${path}`, { headers: { ...(init.headers ?? {}), [INTERNAL_HEADER]: environment } });
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}
