// The control plane for bench/control.ts, run in workerd: the real createControlPlane and its SQLite
// Durable Object, whose document requests are counted where they arrive (in the Durable Object).
import { createControlPlane } from '../../control/index';
import { manifest } from '../../flags.gen';

interface Env {
  readonly SERVER_KEY: string;
  readonly TOKENS: string;
  readonly WEBHOOK_SECRET: string;
  readonly GATE: { fetch(request: Request): Promise<Response> };
  readonly FLAGSTAGE_CONTROL: { idFromName(name: string): unknown; get(id: unknown): { fetch(request: Request): Promise<Response> } };
}

const plane = createControlPlane<Env>({
  manifest,
  environments: (env) => ({ bench: { serverKey: env.SERVER_KEY } }),
  auth: (env) => ({ tokens: JSON.parse(env.TOKENS) }),
  webhooks: (env) => [{ url: 'https://gate.internal/flagsmith/webhook', secret: env.WEBHOOK_SECRET, fetch: (request) => env.GATE.fetch(request) }],
});

/** The control plane's Durable Object, counting the document requests that reach it. */
export class FlagstageControl extends plane.DurableObject {
  #documentRequests = 0;

  override async fetch(request: Request): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    if (pathname === '/bench/document-requests') {
      const count = this.#documentRequests;
      if (searchParams.has('reset')) this.#documentRequests = 0;
      return Response.json({ documentRequests: count });
    }
    if (pathname === '/internal/document') this.#documentRequests += 1;
    return super.fetch(request);
  }
}

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/bench/document-requests') return env.FLAGSTAGE_CONTROL.get(env.FLAGSTAGE_CONTROL.idFromName('bench')).fetch(request);
    return plane.fetch(request, env, ctx);
  },
};
