/** The one gate resolution the adapters translate, and the shape of a denial. */
export { resolveGate, type GateDecider, type GateRequest, type GateResult } from './resolve';
export {
  DeniedError,
  FORBIDDEN,
  UNAUTHENTICATED,
  type Denial,
  type DenialCode,
  type DenialReason,
  type GrantDenial,
  type GrantDenialCode,
} from './denial';
