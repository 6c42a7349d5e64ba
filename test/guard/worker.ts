// The guard's test Worker (the `main` of the workerd-guard vitest project): a control plane whose
// production environment takes outcomes with an ingest key, on a clock the tests drive, and a gate:
// a Hono app in the same Worker that reads the production document through the real
// flagsmithSource, refreshes from the control plane's signed webhook, issues grants when work
// starts, and reports its routes' outcomes through flagstage/outcomes back to the control plane.
// The control plane's webhooks reach the gate through the Worker's own entry point (a request of
// its own, as from Flagsmith or a control plane elsewhere), not as a call inside the Durable Object.
import { exports } from 'cloudflare:workers';
import { Hono, type ExecutionContext } from 'hono';
import { createControlPlane, type WebhookTarget } from 'flagstage/control';
import { createFlagstage, flagsmithSource, type Identity } from 'flagstage';
import { grantVerifier, issueGrant } from 'flagstage/grants';
import { flagstage, requireFlag, type FlagstageVariables } from 'flagstage/hono';
import { webhook } from 'flagstage/hono/webhook';
import { outcomeReporter } from 'flagstage/outcomes';
import { manifest, requireGastown } from '../../flags.gen';

export const TOKENS = { owner: 'fst_test-owner', operator: 'fst_test-operator', viewer: 'fst_test-viewer' } as const;
export const SERVER_KEYS = { production: 'ser.production-guard-key', staging: 'ser.staging-guard-key' } as const;
export const INGEST_KEY = 'ing.production-guard-ingest-key';
export const WEBHOOK_SECRET = 'guard-webhook-secret';
export const OPS_SECRET = 'guard-ops-secret';
export const GRANT_SECRET = 'g'.repeat(32);

/** What the tests drive and observe from outside. */
export const testControls = {
  /** The control plane's clock (ms). */
  now: Date.UTC(2031, 5, 2, 9, 0, 0),
  /** The gate's towns route answers 500 on every Nth request (0: never). */
  errorEvery: 0,
  requests: 0,
  gateWebhooks: [] as { readonly status: number; readonly event: string | null }[],
  opsCalls: [] as { readonly signature: string | null; readonly body: string }[],
  reporterErrors: [] as string[],
};

export interface Env {
  readonly FLAGSTAGE_CONTROL: unknown;
}

/** The app's own session store: the cookie names a session, the session an identity. */
export function identityOf(userId: string): Identity {
  return { userId, orgId: `org-${userId}`, isAdmin: userId.startsWith('admin-') };
}

type GateEnv = { Bindings: Env; Variables: { user: Identity | null } & FlagstageVariables };

let gate: ReturnType<typeof createGate> | null = null;

function createGate(env: Env) {
  const toPlane = (url: string, init: RequestInit) => plane.fetch(new Request(url, init), env);
  const reporter = outcomeReporter({
    url: 'https://control.test',
    environment: 'production',
    ingestKey: INGEST_KEY,
    // A batch goes 5 ms after its first outcome, through that request's waitUntil (which the tests'
    // fetch awaits), so a test's traffic is reported once its requests are answered.
    maxBatch: 10_000,
    flushMs: 5,
    fetch: toPlane,
    onError: (error) => testControls.reporterErrors.push(`${error.code}: ${error.message}`),
  });
  const source = flagsmithSource({ apiUrl: 'https://control.test/api/v1/', environmentKey: SERVER_KEYS.production, ttlMs: 600_000, maxStaleMs: 3_600_000, timeoutMs: 5_000, fetch: toPlane, onError: () => undefined });
  const flags = createFlagstage({ manifest, source, logChanges: false, outcomes: reporter });
  const app = new Hono<GateEnv>();
  app.post('/gate/webhook', async (c) => {
    const body = await c.req.raw.clone().text();
    const response = await webhook(flags, { secret: WEBHOOK_SECRET })(c, async () => undefined);
    const status = response instanceof Response ? response.status : 0;
    testControls.gateWebhooks.push({ status, event: (JSON.parse(body) as { event_type?: string }).event_type ?? null });
    return response;
  });
  app.post('/gate/flush', async (c) => {
    await reporter.flush();
    return c.json({ pending: reporter.pending });
  });
  app.use(async (c, next) => {
    const session = c.req.header('cookie')?.match(/session=([\w-]+)/)?.[1];
    c.set('user', session ? identityOf(session) : null);
    await next();
  });
  app.use(flagstage<GateEnv>(flags, { identity: (c) => c.var.user, grants: { verify: grantVerifier({ secrets: { k1: GRANT_SECRET } }) } }));
  app.get('/gastown/towns', requireFlag(requireGastown), (c) => {
    testControls.requests += 1;
    const failing = testControls.errorEvery > 0 && testControls.requests % testControls.errorEvery === 0;
    return failing ? c.json({ error: 'town service down' }, 500) : c.json({ towns: [], reason: c.var.flagDecision.reason });
  });
  // Starting work: the app issues a grant naming the flag, for the work's later callbacks.
  app.post('/gastown/sessions', requireFlag(requireGastown), async (c) => {
    const grant = await issueGrant(c.var.user as Identity, ['gastown'], { secret: GRANT_SECRET, kid: 'k1', ttlSeconds: 3_600 });
    return c.json({ grant });
  });
  app.post('/gastown/agents/callback', requireFlag(requireGastown, { continuing: true }), (c) => c.json({ via: c.var.flagGrant ? 'grant' : 'decision' }));
  return { app, flags, reporter };
}

const plane = createControlPlane<Env>({
  manifest,
  environments: { production: { serverKey: SERVER_KEYS.production, ingestKey: INGEST_KEY }, staging: { serverKey: SERVER_KEYS.staging } },
  auth: {
    tokens: [
      { name: 'owner', role: 'owner', sha256: '5d809866d6a35711e295cd1aa1acece707ff5a3e8c06a29fcaba9d77831952f5' },
      { name: 'operator', role: 'operator', sha256: 'ca43be957556623229186c7c4f742fa20064437c5b93fc0239676f388cd5bd26' },
      { name: 'viewer', role: 'viewer', sha256: '369d8e910c83617ec63d012bcfd1acb30ff1f2a3748afc85de091de0ef9f0020' },
    ],
  },
  webhooks: (env, environment): WebhookTarget[] =>
    environment === 'production'
      ? [
          { url: 'https://gate.test/gate/webhook', secret: WEBHOOK_SECRET, fetch: (request) => entry.fetch(request) },
          {
            url: 'https://ops.test/alerts',
            secret: OPS_SECRET,
            fetch: async (request) => {
              testControls.opsCalls.push({ signature: request.headers.get('x-flagsmith-signature'), body: await request.text() });
              return new Response(null, { status: 204 });
            },
          },
        ]
      : [],
  now: () => testControls.now,
});

/** The Worker's own entry point: each call is a request of its own, with its own ExecutionContext. */
const entry = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;

function gateFetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  gate ??= createGate(env);
  return Promise.resolve(gate.app.fetch(request, env, ctx));
}

export const FlagstageControl = plane.DurableObject;
export const openapi = plane.openapi;

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (new URL(request.url).hostname === 'gate.test') return gateFetch(request, env, ctx);
    return plane.fetch(request, env);
  },
};
