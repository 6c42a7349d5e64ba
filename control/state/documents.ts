/**
 * The control plane's view of documents: everything that edits one comes from the module that owns
 * stages <-> documents; this file only names what the control plane uses, in one place.
 */
export { createDocument, ensureFlags, writeRollout } from '../../cli/backends/local/write';
export type { EnvironmentDoc } from '../../cli/backends/local/document';
export { readRollout } from '../../runtime/policy/read-rollout';
export { planAllow, planDisallow, planKill, planPercent, planStage, sameRollout, STAGES, type Plan, type PlanState } from '../../cli/rollout/plan';
