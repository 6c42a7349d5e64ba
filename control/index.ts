/**
 * `flagstage/control`: the control plane, a Worker and a SQLite-backed Durable Object per
 * environment that hold the flags, their history and the audit log, serve the environment document
 * like Flagsmith, push signed webhooks and expose an admin API. Runs in workerd without nodejs_compat.
 */
export { createControlPlane, type ControlPlane, type ControlPlaneHandle } from './plane';
export type { AuthOptions, Configured, ControlPlaneOptions, EnvironmentConfig, WebhookTarget } from './options';
export { generateToken, hashToken, type TokenRecord } from './auth/tokens';
export { generateIngestKey } from './guard/ingest-key';
export type { GuardTrippedPayload, IngestCounters } from './guard/index';
export type { AccessOptions } from './auth/access';
export type { Caller, Role } from './auth/roles';
export { CONTROL_ERROR_CODES, ControlError, type ControlErrorBody, type ControlErrorCode } from './errors';
export { ControlState, type AuditRecord, type ChangeInput, type ChangeMeta, type ChangeOutcome, type DeliveryRecord, type RevisionRecord, type RollbackOutcome } from './state/control-state';
export type { WebhookPayload } from './push/webhooks';
export { adminPage, type AdminHost, type AdminPageOptions } from './admin/page';
export { createSignInLink, type SessionOptions, type SignInLink } from './admin/session';
