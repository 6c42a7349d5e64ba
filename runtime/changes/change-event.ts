import type { FlagRollout } from '../stages/rollout';

/**
 * What the runtime emits when a new document revision changes a flag's stage, kill-switch,
 * allowlist or percentage: one event per changed flag per revision.
 */
export interface ChangeEvent {
  /** When the change was seen (ISO 8601). */
  readonly at: string;
  readonly flag: string;
  readonly before: FlagRollout;
  readonly after: FlagRollout;
  /** The revision that carries the change. */
  readonly revision: string;
}

/** Receives change events; may be async (its promise is awaited nowhere on the request path). */
export type ChangeSink = (event: ChangeEvent) => void | Promise<void>;
