/**
 * flagstage/grants: signed grants that let in-flight work continue after a kill-switch (JWS HS256
 * via `jose`). Its own entry point so that an app that does not use grants never bundles `jose`:
 * adapters take a verifier built here (`grants: { verify: grantVerifier({ secrets }) }`).
 * Imports no Node built-in (runs in workerd without `nodejs_compat`).
 */
export { issueGrant } from './issue';
export { verifyGrant } from './verify';
export { grantVerifier } from './verifier';
export { MIN_SECRET_BYTES } from './secret';
export { GrantError } from './errors';
export type {
  Grant,
  GrantRefusal,
  GrantSecret,
  GrantVerification,
  GrantVerifier,
  GrantVerifierOptions,
  IssueGrantOptions,
  VerifyGrantOptions,
} from './types';
