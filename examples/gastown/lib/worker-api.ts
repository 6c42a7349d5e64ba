import type { ApiError } from '../shared/api';
import { appConfig } from './config';

/** A refusal or failure from the worker API, with its status and JSON body. */
export class WorkerApiError extends Error {
  readonly status: number;
  readonly body: ApiError;
  constructor(status: number, body: ApiError) {
    super(`worker API ${status}: ${body.error}${body.flag ? ` (${body.flag})` : ''}`);
    this.name = 'WorkerApiError';
    this.status = status;
    this.body = body;
  }
}

/**
 * Calls the Gastown worker API as the signed-in user: the session goes along as a bearer token and
 * the worker verifies it and decides again with its own flagstage (defence in depth: a page that
 * forgot a gate still cannot reach the worker).
 */
export async function callWorker<T>(token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(new URL(path, appConfig().workerUrl), {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cache: 'no-store',
  });
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new WorkerApiError(response.status, isApiError(json) ? json : { error: 'unexpected-response' });
  return json as T;
}

function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';
}
