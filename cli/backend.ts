import type { Manifest } from '../runtime/manifest/types';
import type { EnvironmentDocument } from '../runtime/engine/index';
import type { FlagRollout } from '../runtime/stages/rollout';
import type { AuditEntry } from './audit/entry';
import type { Plan, PlanState } from './rollout/plan';
import type { PlanJson } from '../control/plans/view';
import type { RevisionRecord } from '../control/state/control-state';

/**
 * Where flag state lives. The commands are written once against this interface; `local` keeps a
 * Flagsmith environment document on disk, `flagsmith` drives the Flagsmith Admin API.
 */
export interface Backend {
  readonly kind: 'local' | 'flagsmith' | 'remote';
  /** Where the state is, for messages: a path or a Flagsmith environment. */
  readonly location: string;
  /** The current environment document, exactly as the runtime would evaluate it. */
  read(): Promise<BackendSnapshot>;
  /**
   * Plans and applies one change to one flag atomically with respect to other flagstage writers:
   * `plan` sees the latest state and may throw a UsageError, in which case nothing is written.
   * A change that changes nothing writes nothing and records nothing.
   */
  change(request: ChangeRequest): Promise<ChangeResult>;
  /** Creates whatever the manifest needs that the backend lacks; idempotent. */
  provision(): Promise<ProvisionReport>;
  /** The flagstage audit log for this backend, oldest first. */
  audit(): Promise<AuditEntry[]>;
  /** The backend's own audit log, when it has one (Flagsmith's): the latest `limit` entries, newest first. */
  externalAudit?(limit?: number): Promise<ExternalAuditEntry[]>;
  /** Every revision of the document, oldest first, optionally only those that changed one flag (the control plane keeps them). */
  history?(flag: string | null): Promise<HistoryEntry[]>;
  /** A new revision equal to an earlier one (the control plane); `changed: false` when it already is. */
  rollback?(revision: number, reason: string): Promise<RollbackResult>;
  /** Rollout plans: only the control plane runs them (its alarm applies the steps). */
  readonly plans?: PlanBackend;
}

/** A flag's rollout plan on the control plane: `flagstage ramp`, `plan`, `pause`, `resume`, `cancel`. */
export interface PlanBackend {
  create(flag: string, request: PlanRequest): Promise<PlanAnswer>;
  /** The flag's active plan, else its latest; a UsageError when it never had one. */
  get(flag: string): Promise<PlanJson>;
  act(flag: string, verb: 'pause' | 'resume' | 'cancel', reason: string): Promise<PlanAnswer>;
}

/** What `flagstage ramp` asks the control plane for (its API's PlanRequest). */
export interface PlanRequest {
  readonly steps: readonly number[];
  readonly every: string;
  readonly start?: string;
  readonly then?: 'ga';
  readonly guard?: { readonly errorRate: number; readonly minSamples: number; readonly window: string };
  readonly reason: string;
}

/** A plan action's answer: the plan after it, whether it changed, and notes for the person. */
export interface PlanAnswer {
  readonly plan: PlanJson;
  readonly changed: boolean;
  readonly notes: readonly string[];
}

/** One revision, as `flagstage history` lists it: the control plane's record, as its API answers it. */
export type HistoryEntry = RevisionRecord;

export interface RollbackResult {
  readonly changed: boolean;
  /** The new revision (or the current one when nothing changed). */
  readonly revision: number;
  readonly restoredFrom: number;
  /** The flags whose rollout the rollback changed, with their audit entries. */
  readonly entries: readonly AuditEntry[];
}

export interface BackendSnapshot {
  /** The environment document, as the runtime's sources would fetch it. */
  readonly document: EnvironmentDocument;
  readonly revision: string | null;
  readonly rollouts: Readonly<Record<string, FlagRollout>>;
}

export interface ChangeRequest {
  readonly flag: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly actor: string;
  readonly reason: string | null;
  readonly plan: (state: PlanState) => Plan;
}

export interface ChangeResult {
  readonly flag: string;
  readonly changed: boolean;
  readonly before: FlagRollout;
  readonly after: FlagRollout;
  readonly revision: string | null;
  readonly notes: readonly string[];
  /** The audit entry written, or null when nothing changed. */
  readonly entry: AuditEntry | null;
}

export interface ProvisionReport {
  /** What was created, one line each (`feature gastown_kill_switch`, `segment flagstage_admins`, …). */
  readonly created: readonly string[];
  /** What already existed. */
  readonly existing: readonly string[];
}

/** An entry of Flagsmith's own audit log. */
export interface ExternalAuditEntry {
  readonly at: string;
  readonly author: string;
  readonly log: string;
  readonly objectType: string | null;
}

/** What a backend factory receives. */
export interface BackendOptions {
  readonly manifest: Manifest;
  /** The `.flagstage` directory (documents, locks, the audit log). */
  readonly stateDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The clock, injectable for tests. */
  readonly now?: () => number;
  /** Where to tell the person why a command waits (stderr); silent when absent. */
  readonly notify?: (message: string) => void;
}
