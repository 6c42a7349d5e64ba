import type { Manifest } from '../runtime/manifest/types';
import type { AccessOptions } from './auth/access';
import type { TokenRecord } from './auth/tokens';
import type { SessionOptions } from './admin/session';

/** A setting given as a value, or read from the Worker's bindings (secrets live there). */
export type Configured<T, E> = T | ((env: E) => T);

/** One environment the control plane serves: its own Durable Object, document and server key. */
export interface EnvironmentConfig {
  /**
   * The server-side key gates send as `X-Environment-Key` to read this environment's document
   * (`ser.…`, as Flagsmith's). Keep it in a secret (`wrangler secret put`).
   */
  readonly serverKey: string;
  /**
   * The key gates report outcomes with (`ing.…`, `generateIngestKey()`), for rollout plans' guards:
   * it can do nothing but `POST …/outcomes`, and nothing else reports outcomes (admin tokens cannot).
   * Without it, outcomes are refused. Keep it in a secret.
   */
  readonly ingestKey?: string;
}

/** A URL the control plane POSTs to after every change, signed like Flagsmith's webhooks. */
export interface WebhookTarget {
  readonly url: string;
  /** The secret the receiving `flagsmithWebhook({ secret })` verifies `X-Flagsmith-Signature` with. */
  readonly secret: string;
  /**
   * How to reach it; default the global `fetch`. A service binding's `fetch` reaches a gate Worker
   * in the same account without leaving Cloudflare's network.
   */
  readonly fetch?: (request: Request) => Promise<Response>;
}

/** Who may call the admin API. */
export interface AuthOptions {
  /** Bearer tokens: only their SHA-256 is configured (`hashToken(token)`, or `flagstage serve` prints one). */
  readonly tokens?: readonly TokenRecord[];
  /** Cloudflare Access in front of the Worker: the `Cf-Access-Jwt-Assertion` is verified, the actor is its email. */
  readonly access?: AccessOptions;
  /** Admin page sessions: the secret that signs their cookies and CSRF tokens, and one-time sign-in links. */
  readonly sessions?: SessionOptions;
}

/** What `createControlPlane` takes. */
export interface ControlPlaneOptions<E = Record<string, unknown>> {
  /** The manifest of flags (`manifest` from flags.gen.ts). */
  readonly manifest: Configured<Manifest, E>;
  /** Environment name (`production`, `staging`, …) to its settings; one Durable Object each. */
  readonly environments: Configured<Readonly<Record<string, EnvironmentConfig>>, E>;
  readonly auth: Configured<AuthOptions, E>;
  /** Where to push after each change, per environment. */
  readonly webhooks?: (env: E, environment: string) => readonly WebhookTarget[];
  /** The Durable Object namespace binding. Default `FLAGSTAGE_CONTROL`. */
  readonly binding?: string;
  /** The largest admin request body accepted. Default 256 KiB. */
  readonly maxBodyBytes?: number;
  /** The clock (ms since epoch); injectable for tests. */
  readonly now?: () => number;
}

/**
 * Resolves a `Configured` setting against the Worker's bindings.
 *
 * @example
 * ```ts
 * const auth = resolveConfigured(options.auth, env);
 * ```
 */
export function resolveConfigured<T, E>(setting: Configured<T, E>, env: E): T {
  return typeof setting === 'function' ? (setting as (env: E) => T)(env) : setting;
}

/** An environment name: what `idFromName` gets and what URLs carry. */
export const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
