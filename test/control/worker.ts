// The control plane's test Worker (the `main` of the workerd-control vitest project): the control
// plane with two environments, bearer tokens of every role and Cloudflare Access against a JWKS the
// tests serve themselves, plus a gate (a second app in the same Worker) that reads the production
// document through the real flagsmithSource and refreshes from the control plane's signed webhook.
import { createControlPlane, type WebhookTarget } from 'flagstage/control';
import { createFlagstage, flagsmithSource, type Identity } from 'flagstage';
import { flagsmithWebhook } from 'flagstage/webhook';
import { manifest } from '../../flags.gen';

export const TOKENS = { owner: 'fst_test-owner', operator: 'fst_test-operator', viewer: 'fst_test-viewer' } as const;
export const SERVER_KEYS = { production: 'ser.production-test-key', staging: 'ser.staging-test-key', plans: 'ser.plans-test-key' } as const;
export const WEBHOOK_SECRET = 'control-webhook-secret';
export const ACCESS = { audience: 'flagstage-control-test-aud', issuer: 'https://team.cloudflareaccess.test', jwksUrl: 'https://team.cloudflareaccess.test/cdn-cgi/access/certs' } as const;

/** What the tests control from outside: the JWKS the Access check fetches, a webhook target's health, what the gate received. */
export const testControls = {
  jwks: { keys: [] as unknown[] },
  jwksFetches: 0,
  stagingHookStatus: 503,
  stagingHookCalls: [] as { readonly signature: string | null; readonly body: string }[],
  gateWebhooks: [] as { readonly status: number; readonly at: number }[],
  documentRequests: 0,
  /** The control plane's clock when set (plans' tests drive time); else the real one. */
  clock: null as number | null,
};

export interface Env {
  readonly FLAGSTAGE_CONTROL: unknown;
}

let gate: ReturnType<typeof createGate> | null = null;

function createGate(env: Env) {
  const source = flagsmithSource({
    apiUrl: 'https://control.test/api/v1/',
    environmentKey: SERVER_KEYS.production,
    ttlMs: 60_000,
    maxStaleMs: 3_600_000,
    timeoutMs: 5_000,
    fetch: (url, init) => plane.fetch(new Request(url, init), env),
    onError: () => undefined,
  });
  const flags = createFlagstage({ manifest, source, logChanges: false });
  const webhook = flagsmithWebhook({ secret: WEBHOOK_SECRET, source });
  return { flags, source, webhook };
}

async function gateFetch(request: Request, env: Env): Promise<Response> {
  gate ??= createGate(env);
  const url = new URL(request.url);
  if (url.pathname === '/gate/webhook') {
    const response = await gate.webhook(request);
    testControls.gateWebhooks.push({ status: response.status, at: Date.now() });
    return response;
  }
  if (url.pathname === '/gate/decide' && request.method === 'POST') {
    const { flag, identities } = (await request.json()) as { flag: 'gastown'; identities: Identity[] };
    const decisions = [];
    for (const identity of identities) decisions.push(await gate.flags.decide(flag, identity));
    return Response.json(decisions);
  }
  return new Response('not found', { status: 404 });
}

const plane = createControlPlane<Env>({
  manifest,
  environments: { production: { serverKey: SERVER_KEYS.production }, staging: { serverKey: SERVER_KEYS.staging }, plans: { serverKey: SERVER_KEYS.plans } },
  now: () => testControls.clock ?? Date.now(),
  auth: {
    tokens: [
      { name: 'owner', role: 'owner', sha256: '5d809866d6a35711e295cd1aa1acece707ff5a3e8c06a29fcaba9d77831952f5' },
      { name: 'operator', role: 'operator', sha256: 'ca43be957556623229186c7c4f742fa20064437c5b93fc0239676f388cd5bd26' },
      { name: 'viewer', role: 'viewer', sha256: '369d8e910c83617ec63d012bcfd1acb30ff1f2a3748afc85de091de0ef9f0020' },
    ],
    access: {
      jwksUrl: ACCESS.jwksUrl,
      audience: ACCESS.audience,
      issuer: ACCESS.issuer,
      roles: { 'owner@example.com': 'owner', 'ops@example.com': 'operator' },
      // The team's key set, served locally: a real JWKS document over a real Response.
      fetch: async () => {
        testControls.jwksFetches += 1;
        return Response.json(testControls.jwks);
      },
    },
  },
  webhooks: (env, environment): WebhookTarget[] =>
    environment === 'plans'
      ? []
      : environment === 'production'
      ? [{ url: 'https://gate.test/gate/webhook', secret: WEBHOOK_SECRET, fetch: (request) => gateFetch(request, env) }]
      : [
          {
            url: 'https://hooks.test/staging',
            secret: WEBHOOK_SECRET,
            fetch: async (request) => {
              testControls.stagingHookCalls.push({ signature: request.headers.get('x-flagsmith-signature'), body: await request.text() });
              return new Response(null, { status: testControls.stagingHookStatus });
            },
          },
        ],
  maxBodyBytes: 64 * 1024,
});

export const FlagstageControl = plane.DurableObject;
export const openapi = plane.openapi;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/gate/')) return gateFetch(request, env);
    if (url.pathname === '/api/v1/environment-document/') testControls.documentRequests += 1;
    return plane.fetch(request, env);
  },
};
