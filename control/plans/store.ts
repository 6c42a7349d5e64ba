import { lineage, type FlagRollout } from '../../runtime/stages/index';
import { stageAtLeast } from '../../runtime/stages/index';
import { ControlError } from '../errors';
import type { DurableStorage } from '../platform';
import type { AuditRecord, ChangeEvent, ChangeInput, ControlState, NoteInput } from '../state/control-state';
import { formatDuration } from './duration';
import { ACTIVE_STATUSES, checkPlanInput, planActor, scheduleOf, stepLabel, type GuardState, type PlanInput, type PlanRecord, type PlanStatus, type PlanStep, type StepRecord } from './plan';
import { dueStep } from './schedule';
import { migratePlans } from './tables';

/** What a plan action did: the plan after it, whether anything changed, its audit entry, notes for the person. */
export interface PlanOutcome {
  readonly plan: PlanRecord;
  readonly changed: boolean;
  readonly audit: AuditRecord | null;
  readonly notes: readonly string[];
}

/** What one alarm did to one plan. */
export interface StepOutcome {
  readonly planId: number;
  readonly flag: string;
  /** The step applied, or null when the step could not be applied and the plan was paused instead. */
  readonly step: PlanStep | null;
  readonly skipped: readonly number[];
  readonly revision: number;
  readonly status: PlanStatus;
}

/**
 * The rollout plans of one environment, in its Durable Object's SQLite beside the document. The
 * API creates, pauses, resumes and cancels them; the Durable Object's one alarm calls `runDue` and
 * arms itself for `nextStepAt()` (and the webhook retries); the guard (control/guard) reads
 * `activePlan(flag)`, pauses with `pausePlan` and records a trip with `recordGuardTrip`.
 *
 * Every action is one transaction with its audit entry. A step is an ordinary change through
 * ControlState by the actor `plan:<id>` (one audit entry, "on behalf of" the creator in its
 * reason), committed together with the plan's progress, so an alarm that runs twice applies
 * nothing twice. Any other actor's change to the flag's stage, percentage or kill-switch (or a
 * kill of an ancestor) pauses the plan in that change's transaction, and its answer says so.
 *
 * @example
 * ```ts
 * const plans = new PlanStore(ctx.storage, state, { now: Date.now });
 * plans.create('gastown', { steps: [1, 5, 25, 50, 100], every: '6h', then: 'ga', reason: 'launch' }, 'token:ci');
 * plans.runDue(); // in alarm(): applies what is due
 * await ctx.storage.setAlarm(plans.nextStepAt() ?? …);
 * ```
 */
export class PlanStore {
  readonly #storage: DurableStorage;
  readonly #state: ControlState;
  readonly #now: () => number;

  constructor(storage: DurableStorage, state: ControlState, options: { readonly now?: () => number } = {}) {
    this.#storage = storage;
    this.#state = state;
    this.#now = options.now ?? Date.now;
    migratePlans(storage.sql);
    state.onChange((event) => this.#onChange(event));
  }

  // Reading ------------------------------------------------------------------------------------

  /** The flag's active plan (scheduled, running or paused), or null. */
  activePlan(flagInput: string): PlanRecord | null {
    const flag = this.#state.resolveFlag(flagInput);
    const row = this.#storage.sql.exec<PlanRow>(`SELECT * FROM plans WHERE flag = ? AND status IN ('scheduled', 'running', 'paused')`, flag).toArray()[0];
    return row ? this.#fromRow(row) : null;
  }

  /** The flag's active plan, else its latest one (done or cancelled), or null when it never had one. */
  planFor(flagInput: string): PlanRecord | null {
    const flag = this.#state.resolveFlag(flagInput);
    const active = this.activePlan(flag);
    if (active) return active;
    const row = this.#storage.sql.exec<PlanRow>('SELECT * FROM plans WHERE flag = ? ORDER BY id DESC LIMIT 1', flag).toArray()[0];
    return row ? this.#fromRow(row) : null;
  }

  /** A plan by id, or null. */
  get(id: number): PlanRecord | null {
    const row = this.#storage.sql.exec<PlanRow>('SELECT * FROM plans WHERE id = ?', id).toArray()[0];
    return row ? this.#fromRow(row) : null;
  }

  /** Every active plan, by flag. */
  activePlans(): PlanRecord[] {
    return this.#storage.sql.exec<PlanRow>(`SELECT * FROM plans WHERE status IN ('scheduled', 'running', 'paused') ORDER BY flag`).toArray().map((row) => this.#fromRow(row));
  }

  /** When the next step of any plan is due, or null: the Durable Object's alarm is set for it. */
  nextStepAt(): number | null {
    const row = this.#storage.sql.exec<{ at: number | null }>(`SELECT min(next_at) AS at FROM plans WHERE status IN ('scheduled', 'running')`).toArray()[0];
    return row?.at ?? null;
  }

  // Actions ------------------------------------------------------------------------------------

  /**
   * Creates the flag's plan. Refused (bad-request, nothing written) when the input is wrong, the
   * flag already has an active plan, is killed or at GA, its percentage is above the first step
   * (ramping would remove people), or its first step could not be made (a sub-flag whose parent
   * is admin-only).
   */
  create(flagInput: string, input: PlanInput, actor: string): PlanOutcome {
    const flag = this.#state.resolveFlag(flagInput);
    const now = this.#now();
    const spec = checkPlanInput(input, now);
    checkReason(input.reason);
    return this.#storage.transactionSync(() => {
      const active = this.activePlan(flag);
      if (active) {
        throw new ControlError('bad-request', `${flag} already has plan ${active.id} (${active.status})`, { field: 'flag', fix: `cancel it first (flagstage cancel ${flag} --reason …), or change it by pausing and resuming` });
      }
      const rollout = this.#rollout(flag);
      if (rollout.killed) throw new ControlError('bad-request', `${flag} is killed`, { field: 'flag', fix: `revive it first (flagstage revive ${flag}); reviving stays a human decision` });
      if (rollout.stage === 'ga') throw new ControlError('bad-request', `${flag} is at GA already`, { field: 'flag', fix: 'a plan ramps a flag below GA; move it to another stage first if you mean to ramp again' });
      const first = spec.steps[0] as number;
      if (stageAtLeast(rollout.stage, 'percentage') && rollout.percentage !== null && rollout.percentage.value > first) {
        throw new ControlError('bad-request', `${flag} is at ${rollout.percentage.value}%, above the first step (${first}%)`, { field: 'steps', fix: `start the steps at ${rollout.percentage.value} or above: ramping down would remove people who are in` });
      }
      // The first step must be makeable now (e.g. a sub-flag needs its parent out of admin-only).
      const preview = this.#state.preview(flag, { command: 'ramp', value: first });
      const row = this.#storage.sql
        .exec<{ id: number }>(
          `INSERT INTO plans (flag, steps, every_ms, start_at, then_stage, status, created_by, created_at, reason, next_index, next_at, guard)
           VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, 0, ?, ?) RETURNING id`,
          flag,
          JSON.stringify(spec.steps),
          spec.everyMs,
          spec.startAt,
          spec.then,
          actor,
          now,
          input.reason.trim(),
          spec.startAt,
          spec.guard ? JSON.stringify(spec.guard) : null,
        )
        .one();
      const plan = this.#require(row.id);
      const schedule = scheduleOf(plan).map(stepLabel).join(' -> ');
      const args = [flag, '--steps', spec.steps.join(','), '--every', formatDuration(spec.everyMs), '--start', iso(spec.startAt), ...(spec.then ? ['--then', spec.then] : []), ...guardArgs(plan)];
      const audit = this.#state.note({ flag, actor, command: 'ramp', args, reason: `plan ${plan.id} created (${schedule}, every ${formatDuration(spec.everyMs)}, first step ${iso(spec.startAt)}): ${input.reason.trim()}` });
      return { plan, changed: true, audit, notes: preview.notes.filter((note) => !note.startsWith(`${flag} is at`)) };
    });
  }

  /**
   * Pauses a plan: no step runs until it is resumed. Idempotent: a plan already paused (or ended)
   * changes nothing and answers `changed: false` (the guard may pause a plan its own kill paused).
   */
  pausePlan(id: number, actor: string, reason: string): PlanOutcome {
    checkReason(reason);
    return this.#storage.transactionSync(() => {
      const plan = this.#require(id);
      if (plan.status === 'paused' || plan.status === 'done' || plan.status === 'cancelled') {
        return { plan, changed: false, audit: null, notes: [`plan ${id} of ${plan.flag} is ${plan.status} already`] };
      }
      const audit = this.#pause(plan, actor, reason.trim(), (entry) => this.#state.note(entry));
      return { plan: this.#require(id), changed: true, audit, notes: [] };
    });
  }

  /**
   * Resumes a paused plan. Its next step comes one interval after now (the flag is watched at its
   * current percentage first); a plan that had not started starts at its start time, or now.
   * Refused when the flag is killed (revive first: a human decision), at GA, or above the next step.
   */
  resumePlan(id: number, actor: string, reason: string): PlanOutcome {
    checkReason(reason);
    return this.#storage.transactionSync(() => {
      const plan = this.#require(id);
      if (plan.status !== 'paused') throw new ControlError('bad-request', `plan ${id} of ${plan.flag} is ${plan.status}, not paused`, { field: 'flag', fix: plan.status === 'done' || plan.status === 'cancelled' ? `create a new plan (flagstage ramp ${plan.flag} …)` : 'only a paused plan resumes' });
      const rollout = this.#rollout(plan.flag);
      const killedBy = lineage(this.#state.manifest, plan.flag).find((key) => this.#rollout(key).killed);
      if (killedBy !== undefined) throw new ControlError('bad-request', `${killedBy} is killed`, { field: 'flag', fix: `revive it first (flagstage revive ${killedBy}), then resume` });
      if (rollout.stage === 'ga') throw new ControlError('bad-request', `${plan.flag} is at GA already`, { field: 'flag', fix: `cancel the plan (flagstage cancel ${plan.flag} --reason …)` });
      const next = scheduleOf(plan)[plan.nextIndex];
      if (next?.percent != null && stageAtLeast(rollout.stage, 'percentage') && rollout.percentage !== null && rollout.percentage.value > next.percent) {
        throw new ControlError('bad-request', `${plan.flag} is at ${rollout.percentage.value}%, above the next step (${next.percent}%)`, { field: 'flag', fix: `cancel this plan and create one whose steps start at ${rollout.percentage.value}% or above` });
      }
      const now = this.#now();
      const started = plan.applied.length > 0;
      const nextAt = started ? now + plan.everyMs : Math.max(plan.startAt, now);
      this.#storage.sql.exec(
        `UPDATE plans SET status = ?, next_at = ?, paused_at = NULL, paused_by = NULL, paused_reason = NULL WHERE id = ?`,
        started ? 'running' : 'scheduled',
        nextAt,
        id,
      );
      const label = next ? `${stepLabel(next)} at ${iso(nextAt)}` : 'none';
      const audit = this.#state.note({ flag: plan.flag, actor, command: 'resume', args: [plan.flag], reason: `plan ${id} resumed (next step ${label}): ${reason.trim()}` });
      return { plan: this.#require(id), changed: true, audit, notes: [] };
    });
  }

  /** Cancels an active plan: no further step runs; the flag stays where it is. */
  cancelPlan(id: number, actor: string, reason: string): PlanOutcome {
    checkReason(reason);
    return this.#storage.transactionSync(() => {
      const plan = this.#require(id);
      if (!ACTIVE_STATUSES.includes(plan.status)) throw new ControlError('bad-request', `plan ${id} of ${plan.flag} is ${plan.status} already`, { field: 'flag', fix: 'only a scheduled, running or paused plan can be cancelled' });
      this.#storage.sql.exec(`UPDATE plans SET status = 'cancelled', next_at = NULL, ended_at = ?, ended_by = ?, ended_reason = ? WHERE id = ?`, this.#now(), actor, reason.trim(), id);
      const audit = this.#state.note({ flag: plan.flag, actor, command: 'cancel', args: [plan.flag], reason: `plan ${id} cancelled after ${plan.applied.filter((step) => step.outcome === 'applied').length} of ${scheduleOf(plan).length} steps: ${reason.trim()}` });
      return { plan: this.#require(id), changed: true, audit, notes: [] };
    });
  }

  /** Records what the guard measured when it tripped (the guard kills and pauses separately). */
  recordGuardTrip(id: number, trip: GuardState): void {
    this.#storage.sql.exec('UPDATE plans SET guard_tripped_at = ?, guard_rate = ?, guard_samples = ? WHERE id = ?', trip.trippedAt, trip.rate, trip.samples, id);
  }

  /**
   * Applies every step due now, each in its own transaction with its audit entry and the plan's
   * progress. A step that cannot be made (e.g. the parent flag went back to admin-only) pauses its
   * plan, audited, instead. Returns what was done; an empty list when nothing was due.
   */
  runDue(): StepOutcome[] {
    const now = this.#now();
    const due = this.#storage.sql.exec<PlanRow>(`SELECT * FROM plans WHERE status IN ('scheduled', 'running') AND next_at <= ? ORDER BY next_at, id`, now).toArray();
    const outcomes: StepOutcome[] = [];
    for (const row of due) {
      const outcome = this.#step(row.id, now);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }

  // Internals ----------------------------------------------------------------------------------

  #step(id: number, now: number): StepOutcome | null {
    // Read again: an earlier plan's step in this alarm may have paused this one.
    const plan = this.#require(id);
    if (plan.status !== 'scheduled' && plan.status !== 'running') return null;
    const schedule = scheduleOf(plan);
    const due = dueStep({ nextIndex: plan.nextIndex, nextAt: plan.nextAt, everyMs: plan.everyMs, lastIndex: schedule.length - 1 }, now);
    if (due === null) return null;
    const step = schedule[due.index] as PlanStep;
    const input: ChangeInput = step.percent === null ? { command: 'stage', stage: 'ga' } : { command: 'ramp', value: step.percent };
    const late = due.skipped.length === 0
      ? ''
      : ` (late: the control plane missed ${due.skipped.map((skipped) => `step ${skipped.index + 1} (${stepLabel(schedule[skipped.index] as PlanStep)}, due ${iso(skipped.dueAt)})`).join(', ')}; applied only the step due now)`;
    const reason = `plan ${plan.id} step ${due.index + 1}/${schedule.length}: ${stepLabel(step)}${late}, on behalf of ${plan.createdBy}: ${plan.reason}`;
    const last = due.index === schedule.length - 1;
    try {
      const outcome = this.#state.change(plan.flag, input, { actor: planActor(plan.id), reason }, {
        within: (change) => {
          // A step that changes nothing (the flag was there already) is still one audit entry.
          const audit = change.audit ?? this.#state.note({ flag: plan.flag, actor: planActor(plan.id), command: input.command, args: [plan.flag, step.percent === null ? 'ga' : String(step.percent)], reason: `${reason} (already so)` });
          for (const skipped of due.skipped) {
            this.#storage.sql.exec(`INSERT INTO plan_steps (plan_id, step, outcome, due_at, at) VALUES (?, ?, 'skipped', ?, ?)`, plan.id, skipped.index, skipped.dueAt, now);
          }
          this.#storage.sql.exec(`INSERT INTO plan_steps (plan_id, step, outcome, due_at, at, revision, audit_id) VALUES (?, ?, 'applied', ?, ?, ?, ?)`, plan.id, due.index, due.dueAt, now, change.revision, audit.id);
          const moved = this.#storage.sql.exec(
            `UPDATE plans SET status = ?, next_index = ?, next_at = ?, ended_at = ?, ended_by = ?, ended_reason = ? WHERE id = ? AND next_index = ?`,
            last ? 'done' : 'running',
            due.index + 1,
            due.followingAt,
            last ? now : null,
            last ? planActor(plan.id) : null,
            last ? `every step applied` : null,
            plan.id,
            plan.nextIndex,
          );
          // The plan moved on under us (no row matched): throwing rolls the step back rather than apply it twice.
          if (moved.rowsWritten === 0) throw new ControlError('internal', `plan ${plan.id} moved on while its step ${due.index + 1} was applied; nothing was changed`);
        },
      });
      return { planId: plan.id, flag: plan.flag, step, skipped: due.skipped.map((skipped) => skipped.index), revision: outcome.revision, status: last ? 'done' : 'running' };
    } catch (error) {
      if (!(error instanceof ControlError) || error.code !== 'bad-request') throw error;
      const message = `step ${due.index + 1} (${stepLabel(step)}) could not be made: ${error.message}${error.fix ? `; ${error.fix}` : ''}`;
      this.#storage.transactionSync(() => this.#pause(plan, planActor(plan.id), message, (entry) => this.#state.note(entry)));
      return { planId: plan.id, flag: plan.flag, step: null, skipped: [], revision: this.#state.current().revision, status: 'paused' };
    }
  }

  /** Someone else changed a flag: pause the plans it affects, in that change's transaction. */
  #onChange(event: ChangeEvent): string[] {
    const touched = event.before.stage !== event.after.stage || event.before.killed !== event.after.killed || !samePercentage(event.before, event.after);
    if (!touched) return [];
    const killed = !event.before.killed && event.after.killed;
    const notes: string[] = [];
    for (const plan of this.activePlans()) {
      if (plan.status === 'paused' || event.actor === planActor(plan.id)) continue;
      // A kill pauses the plans of the flag and of its sub-flags; other changes only the flag's own.
      const affected = plan.flag === event.flag || (killed && lineage(this.#state.manifest, plan.flag).includes(event.flag));
      if (!affected) continue;
      const what = killed ? 'killed' : event.command === 'rollback' ? 'rolled back' : `changed (${event.command})`;
      const why = `${event.flag} was ${what} by ${event.actor}, not by the plan`;
      this.#pause(plan, event.actor, why, event.record);
      notes.push(`plan ${plan.id} of ${plan.flag} is paused: ${why}; resume it with \`flagstage resume ${plan.flag} --reason …\` or cancel it`);
    }
    return notes;
  }

  #pause(plan: PlanRecord, actor: string, reason: string, record: (entry: NoteInput) => AuditRecord): AuditRecord {
    this.#storage.sql.exec(`UPDATE plans SET status = 'paused', paused_at = ?, paused_by = ?, paused_reason = ? WHERE id = ?`, this.#now(), actor, reason, plan.id);
    return record({ flag: plan.flag, actor, command: 'pause', args: [plan.flag], reason: `plan ${plan.id} paused: ${reason}` });
  }

  #rollout(flag: string): FlagRollout {
    const rollout = this.#state.rollouts()[flag];
    if (rollout === undefined) throw new ControlError('bad-request', `unknown flag "${flag}"`, { field: 'flag' });
    return rollout;
  }

  #require(id: number): PlanRecord {
    const plan = this.get(id);
    if (!plan) throw new ControlError('not-found', `there is no plan ${id}`, { field: 'plan' });
    return plan;
  }

  #fromRow(row: PlanRow): PlanRecord {
    const applied = this.#storage.sql
      .exec<StepRow>('SELECT * FROM plan_steps WHERE plan_id = ? ORDER BY step', row.id)
      .toArray()
      .map((step): StepRecord => ({ index: step.step, outcome: step.outcome as StepRecord['outcome'], dueAt: step.due_at, at: step.at, revision: step.revision, auditId: step.audit_id }));
    return {
      id: row.id,
      flag: row.flag,
      steps: JSON.parse(row.steps) as number[],
      everyMs: row.every_ms,
      startAt: row.start_at,
      then: row.then_stage === 'ga' ? 'ga' : null,
      status: row.status as PlanStatus,
      createdBy: row.created_by,
      createdAt: row.created_at,
      reason: row.reason,
      nextIndex: row.next_index,
      nextAt: row.next_at,
      paused: row.paused_at === null ? null : { at: row.paused_at, by: row.paused_by ?? '', reason: row.paused_reason ?? '' },
      ended: row.ended_at === null ? null : { at: row.ended_at, by: row.ended_by ?? '', reason: row.ended_reason ?? '' },
      guard: row.guard === null ? null : (JSON.parse(row.guard) as PlanRecord['guard']),
      guardState: row.guard_tripped_at === null ? null : { trippedAt: row.guard_tripped_at, rate: row.guard_rate ?? 0, samples: row.guard_samples ?? 0 },
      applied,
    };
  }
}

function samePercentage(a: FlagRollout, b: FlagRollout): boolean {
  return (a.percentage?.value ?? null) === (b.percentage?.value ?? null) && (a.percentage?.by ?? null) === (b.percentage?.by ?? null);
}

function checkReason(reason: string): void {
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new ControlError('bad-request', 'every plan action needs a reason', { field: 'reason', fix: 'say why in "reason" (it goes to the audit log)' });
  }
}

function guardArgs(plan: PlanRecord): string[] {
  if (!plan.guard) return [];
  return ['--guard-error-rate', `${+(plan.guard.errorRate * 100).toFixed(4)}%`, '--guard-min-samples', String(plan.guard.minSamples), '--guard-window', formatDuration(plan.guard.windowMs)];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

interface PlanRow {
  id: number;
  flag: string;
  steps: string;
  every_ms: number;
  start_at: number;
  then_stage: string | null;
  status: string;
  created_by: string;
  created_at: number;
  reason: string;
  next_index: number;
  next_at: number | null;
  paused_at: number | null;
  paused_by: string | null;
  paused_reason: string | null;
  ended_at: number | null;
  ended_by: string | null;
  ended_reason: string | null;
  guard: string | null;
  guard_tripped_at: number | null;
  guard_rate: number | null;
  guard_samples: number | null;
  [column: string]: string | number | null;
}

interface StepRow {
  plan_id: number;
  step: number;
  outcome: string;
  due_at: number;
  at: number;
  revision: number | null;
  audit_id: number | null;
  [column: string]: string | number | null;
}
