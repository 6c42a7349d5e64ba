// The guard tests' calls through the test Worker's fetch handler, each response validated against the
// served OpenAPI document (the same client as test/control's).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env as bindings, exports } from 'cloudflare:workers';
import { openApiClient } from '../helpers/openapi-client';
import handler, { openapi, TOKENS, type Env } from './worker';

export type { ApiAnswer } from '../helpers/openapi-client';

/**
 * The test Worker's fetch handler, called as workerd calls it: with the Worker's bindings and a real
 * ExecutionContext whose `waitUntil` work (outcome batches, document refreshes) is awaited before
 * the response is handed back. Not through `exports.default`/`SELF`: in
 * @cloudflare/vitest-pool-workers 0.15.1 every call through that loopback entry point costs more than
 * the one before (a trivial route: about 6 ms per call after 100 calls, 250 ms after 450; about
 * 1 s after 600), so the incident's ~1,700 requests never finished (cloudflare/workers-sdk#15446).
 */
export const worker = {
  async fetch(request: Request): Promise<Response> {
    const ctx = createExecutionContext();
    const response = await handler.fetch(request, bindings as unknown as Env, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  },
};

/**
 * The same Worker through workerd's own entry point (each call a request of its own, with its own
 * I/O context). Only for a few calls: each one costs more than the last (see `worker`).
 */
export const entry = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;

/** `api()`: one admin API call through the Worker; `expectDocumented()`: a response checked against the spec. */
export const { api, expectDocumented } = openApiClient({ spec: openapi(), fetch: (request) => worker.fetch(request), token: TOKENS.owner });

/** `/v1/environments/<environment>` + path. */
export const env = (environment: string, path: string) => `/v1/environments/${environment}${path}`;
