// Shared helpers of the control plane's workerd tests: calls through the Worker's real fetch handler
// (exports.default), and validation of every response against the served OpenAPI document.
import { exports } from 'cloudflare:workers';
import { openApiClient } from '../helpers/openapi-client';
import { openapi, TOKENS } from './worker';

export type { ApiAnswer } from '../helpers/openapi-client';

/** The test Worker's default export, through workerd's own entry point. */
export const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;

/** `api()`: one admin API call through the Worker; `expectDocumented()`: a response checked against the spec. */
export const { api, expectDocumented } = openApiClient({ spec: openapi(), fetch: (request) => worker.fetch(request), token: TOKENS.owner });

/** `/v1/environments/<environment>` + path. */
export const env = (environment: string, path: string) => `/v1/environments/${environment}${path}`;
