/**
 * The control plane's view of documents: everything that reads or edits one comes from
 * runtime/stages, the one owner of stages <-> documents; the planners (what a command turns a
 * rollout into, with its notes and refusals) are the CLI's, so both give the same answers.
 */
export {
  allowlistIdProblem,
  allowlistProblem,
  applyRollout,
  createDocument,
  ensureFlags,
  lineage,
  readRollout,
  rolloutPatch,
  sameRollout,
  STAGES,
  type FlagRollout,
  type StagedDocument as EnvironmentDoc,
} from '../../runtime/stages/index';
export { planAllow, planDisallow, planKill, planPercent, planStage, type Plan, type PlanState } from '../../cli/rollout/plan';
