import type { BucketBy, Manifest } from '../../runtime/manifest/types';
import { ControlError } from '../errors';
import type { DurableStorage } from '../platform';
import {
  allowlistProblem,
  applyRollout,
  createDocument,
  ensureFlags,
  planAllow,
  planDisallow,
  planKill,
  planPercent,
  planStage,
  readRollout,
  rolloutPatch,
  sameRollout,
  type EnvironmentDoc,
  type FlagRollout,
  type Plan,
  type PlanState,
} from './documents';
import { migrate } from './schema';
import { stageAtLeast, type Stage } from '../../runtime/stages/index';

/** A change to one flag, as the API and the CLI's remote backend ask for it. */
export type ChangeInput =
  | { readonly command: 'stage'; readonly stage: Stage; readonly force?: boolean }
  | { readonly command: 'allow' | 'disallow'; readonly users: readonly string[]; readonly orgs: readonly string[] }
  | { readonly command: 'percent'; readonly value: number; readonly by?: BucketBy }
  | { readonly command: 'kill' | 'revive' }
  /** A rollout plan's step: the percentage, and the percentage stage if the flag is below it. */
  | { readonly command: 'ramp'; readonly value: number };

/** Who asks and why; the actor comes from authentication, never from the request body. */
export interface ChangeMeta {
  readonly actor: string;
  readonly reason: string;
  /** Optimistic concurrency: the revision the caller saw; another one answers `conflict`. */
  readonly ifMatch?: number;
}

/** One entry of the append-only audit log. */
export interface AuditRecord {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly flag: string;
  readonly reason: string;
  readonly revision: number;
  readonly before: FlagRollout;
  readonly after: FlagRollout;
}

/** One revision of the document, without the document. */
export interface RevisionRecord {
  readonly revision: number;
  readonly at: string;
  readonly actor: string;
  readonly command: string;
  readonly reason: string | null;
  /** For a rollback: the revision it restored. */
  readonly restoredFrom: number | null;
  /** The flags whose rollout this revision changed. */
  readonly flags: readonly string[];
}

export interface ChangeOutcome {
  readonly flag: string;
  readonly changed: boolean;
  readonly revision: number;
  /** The document's `updated_at` after the change: the revision gates report in their decisions. */
  readonly updatedAt: string;
  readonly before: FlagRollout;
  readonly after: FlagRollout;
  readonly notes: readonly string[];
  readonly audit: AuditRecord | null;
}

/**
 * A change as the hooks of `onChange` see it, inside the change's transaction: `record` appends an
 * audit entry at the change's revision that changes no document (a plan pausing because of it).
 */
export interface ChangeEvent {
  readonly flag: string;
  readonly command: string;
  readonly actor: string;
  readonly revision: number;
  readonly before: FlagRollout;
  readonly after: FlagRollout;
  record(entry: NoteInput): AuditRecord;
}

/** What a hook does about a change (in its transaction); it returns notes for the caller's answer. */
export type ChangeHook = (event: ChangeEvent) => readonly string[];

/** An audit entry that changes no document: a plan created, paused, resumed or cancelled. */
export interface NoteInput {
  readonly flag: string;
  readonly actor: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly reason: string;
}

export interface RollbackOutcome {
  readonly changed: boolean;
  readonly revision: number;
  readonly updatedAt: string;
  readonly restoredFrom: number;
  readonly audit: readonly AuditRecord[];
}

/** A webhook delivery, as `status` shows it. */
export interface DeliveryRecord {
  readonly id: number;
  readonly url: string;
  readonly revision: number;
  readonly state: 'pending' | 'delivered' | 'failed' | 'superseded';
  readonly attempts: number;
  readonly nextAt: number;
  readonly lastError: string | null;
  readonly deliveredAt: string | null;
}

export interface CurrentDocument {
  readonly revision: number;
  /** The JSON served at `/api/v1/environment-document/`. */
  readonly body: string;
  readonly document: EnvironmentDoc;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly next: string | null;
}

export interface ControlStateOptions {
  readonly manifest: Manifest;
  /** The environment's name, recorded in the document and the webhook payloads. */
  readonly environment: string;
  readonly now?: () => number;
}

/** Deliveries give up after this many attempts and stay `failed` in `status`. */
export const MAX_DELIVERY_ATTEMPTS = 10;

/**
 * The control plane's service layer: one environment's document, revisions, audit log and webhook
 * outbox in the Durable Object's SQLite storage. The admin API, the document endpoint and alarms all
 * go through it (the admin page and rollout plans are further callers). Every change is one
 * `transactionSync`: the new document, its revision row, its audit entries and its webhook
 * deliveries commit together or not at all. Methods are synchronous (SQLite in a Durable Object is),
 * so two changes never interleave.
 *
 * @example
 * ```ts
 * const state = new ControlState(ctx.storage, { manifest, environment: 'production' });
 * state.change('gastown', { command: 'stage', stage: 'allowlist' }, { actor: 'token:ci', reason: 'beta' });
 * ```
 */
export class ControlState {
  readonly #storage: DurableStorage;
  readonly #manifest: Manifest;
  readonly #environment: string;
  readonly #now: () => number;
  #current: CurrentDocument | null = null;

  constructor(storage: DurableStorage, options: ControlStateOptions) {
    this.#storage = storage;
    this.#manifest = options.manifest;
    this.#environment = options.environment;
    this.#now = options.now ?? Date.now;
    migrate(storage.sql);
    this.#bootstrap();
  }

  get manifest(): Manifest {
    return this.#manifest;
  }

  get environment(): string {
    return this.#environment;
  }

  /** The current document and its revision. */
  current(): CurrentDocument {
    if (this.#current) return this.#current;
    const row = this.#storage.sql
      .exec<{ revision: number; document: string }>('SELECT revision, document FROM revisions ORDER BY revision DESC LIMIT 1')
      .toArray()[0];
    if (!row) throw new ControlError('internal', 'the environment has no document');
    this.#current = { revision: row.revision, body: row.document, document: JSON.parse(row.document) as EnvironmentDoc };
    return this.#current;
  }

  /** Every flag's rollout in the current document. */
  rollouts(): Record<string, FlagRollout> {
    return readRollout(this.#manifest, this.current().document);
  }

  /** A flag key from a key or a Flagsmith feature name; anything else is a bad request naming the flags. */
  resolveFlag(input: string): string {
    const flags = this.#manifest.flags;
    if (Object.prototype.hasOwnProperty.call(flags, input)) return input;
    const byFeature = Object.values(flags).find((definition) => definition.feature === input);
    if (byFeature) return byFeature.key;
    throw new ControlError('bad-request', `unknown flag "${input}"`, { field: 'flag', fix: `use one of ${Object.keys(flags).join(', ')}` });
  }

  /**
   * Applies one change to one flag. A change that changes nothing writes nothing and records nothing.
   * Throws `ControlError` (bad-request, conflict) with nothing written.
   */
  change(flagInput: string, input: ChangeInput, meta: ChangeMeta, options: { readonly within?: (outcome: ChangeOutcome) => void } = {}): ChangeOutcome {
    const flag = this.resolveFlag(flagInput);
    checkReason(meta.reason);
    const committed = this.#storage.transactionSync(() => {
      const current = this.current();
      checkIfMatch(meta.ifMatch, current.revision);
      const rollouts = readRollout(this.#manifest, current.document);
      const before = rollouts[flag];
      if (before === undefined) throw new ControlError('bad-request', `unknown flag "${flag}"`, { field: 'flag' });
      const plan = planChange({ manifest: this.#manifest, rollouts }, flag, input);
      if (sameRollout(before, plan.after)) {
        const unchanged: ChangeOutcome = { flag, changed: false, revision: current.revision, updatedAt: current.document.updated_at, before, after: before, notes: plan.notes, audit: null };
        options.within?.(unchanged);
        return { outcome: unchanged, saved: null };
      }
      if (input.command === 'allow') {
        const problem = allowlistProblem(plan.after.allowlist);
        if (problem !== null) throw new ControlError('bad-request', problem, { field: 'users', fix: 'allow an org instead of its users, or move the flag to the percentage stage' });
      }
      const next = applyRollout(current.document, this.#manifest, flag, rolloutPatch(before, plan.after));
      const after = readRollout(this.#manifest, next)[flag];
      if (after === undefined || !sameRollout(after, plan.after)) {
        // The writer and the policy's reader disagree: refuse rather than store a state nobody asked for.
        throw new ControlError('internal', 'the change would not read back as asked; nothing was changed');
      }
      const saved = this.#saveRevision(current, next, { actor: meta.actor, command: input.command, reason: meta.reason, restoredFrom: null });
      const audit = this.#appendAudit({ actor: meta.actor, command: input.command, args: argsOf(flag, input), flag, reason: meta.reason, revision: saved.revision, before, after });
      const notes = [...plan.notes, ...this.#runHooks({ flag, command: input.command, actor: meta.actor, revision: saved.revision, before, after })];
      const outcome: ChangeOutcome = { flag, changed: true, revision: saved.revision, updatedAt: saved.document.updated_at, before, after, notes, audit };
      options.within?.(outcome);
      return { outcome, saved };
    });
    if (committed.saved) this.#current = committed.saved;
    return committed.outcome;
  }

  /**
   * What `change` would make of a flag, without writing anything: the rollout after and the notes,
   * or the same `ControlError` `change` would throw. Plans check their first step so when created.
   */
  preview(flagInput: string, input: ChangeInput): { readonly before: FlagRollout; readonly after: FlagRollout; readonly notes: readonly string[] } {
    const flag = this.resolveFlag(flagInput);
    const rollouts = readRollout(this.#manifest, this.current().document);
    const before = rollouts[flag];
    if (before === undefined) throw new ControlError('bad-request', `unknown flag "${flag}"`, { field: 'flag' });
    const plan = planChange({ manifest: this.#manifest, rollouts }, flag, input);
    return { before, after: plan.after, notes: plan.notes };
  }

  /**
   * Makes a new revision whose document equals revision `target`'s (history is never rewritten),
   * with one audit entry per flag whose rollout it changes. Nothing to restore (the current rollouts
   * already equal the target's) changes nothing.
   */
  rollback(target: number, meta: ChangeMeta): RollbackOutcome {
    checkReason(meta.reason);
    const committed = this.#storage.transactionSync(() => {
      const current = this.current();
      checkIfMatch(meta.ifMatch, current.revision);
      const row = this.#storage.sql.exec<{ document: string }>('SELECT document FROM revisions WHERE revision = ?', target).toArray()[0];
      if (!row) throw new ControlError('bad-request', `there is no revision ${target}`, { field: 'revision', fix: `use a revision from the history (1 to ${current.revision})` });
      const restored = ensureFlags(JSON.parse(row.document) as EnvironmentDoc, this.#manifest);
      const before = readRollout(this.#manifest, current.document);
      const after = readRollout(this.#manifest, restored);
      const changedFlags = Object.keys(this.#manifest.flags).filter((flag) => !sameRollout(before[flag] as FlagRollout, after[flag] as FlagRollout));
      if (changedFlags.length === 0) return { outcome: { changed: false, revision: current.revision, updatedAt: current.document.updated_at, restoredFrom: target, audit: [] }, saved: null };
      const saved = this.#saveRevision(current, { ...restored, api_key: current.document.api_key }, { actor: meta.actor, command: 'rollback', reason: meta.reason, restoredFrom: target });
      const audit = changedFlags.map((flag) =>
        this.#appendAudit({ actor: meta.actor, command: 'rollback', args: [String(target)], flag, reason: meta.reason, revision: saved.revision, before: before[flag] as FlagRollout, after: after[flag] as FlagRollout }),
      );
      for (const flag of changedFlags) this.#runHooks({ flag, command: 'rollback', actor: meta.actor, revision: saved.revision, before: before[flag] as FlagRollout, after: after[flag] as FlagRollout });
      return { outcome: { changed: true, revision: saved.revision, updatedAt: saved.document.updated_at, restoredFrom: target, audit }, saved };
    });
    if (committed.saved) this.#current = committed.saved;
    return committed.outcome;
  }

  readonly #hooks: ChangeHook[] = [];

  /**
   * Runs `hook` inside the transaction of every change that changes a flag (and once per flag a
   * rollback changes): what it writes commits with the change or not at all. Rollout plans pause
   * themselves this way when someone else changes their flag.
   */
  onChange(hook: ChangeHook): void {
    this.#hooks.push(hook);
  }

  #runHooks(event: Omit<ChangeEvent, 'record'>): string[] {
    const record = (entry: NoteInput) => this.#appendAudit({ ...entry, revision: event.revision, before: event.after, after: event.after });
    return this.#hooks.flatMap((hook) => [...hook({ ...event, record })]);
  }

  /**
   * Appends an audit entry that changes no document (at the current revision, with the flag's
   * rollout as both before and after): plans record being created, paused, resumed or cancelled so.
   * Joins the caller's transaction when there is one.
   */
  note(entry: NoteInput): AuditRecord {
    checkReason(entry.reason);
    const flag = this.resolveFlag(entry.flag);
    const current = this.current();
    const rollout = readRollout(this.#manifest, current.document)[flag];
    if (rollout === undefined) throw new ControlError('bad-request', `unknown flag "${flag}"`, { field: 'flag' });
    return this.#storage.transactionSync(() => this.#appendAudit({ ...entry, flag, revision: current.revision, before: rollout, after: rollout }));
  }

  /** The audit log, oldest first, optionally for one flag; `cursor` continues after the last page. */
  audit(options: { readonly flag?: string; readonly cursor?: string; readonly limit?: number } = {}): Page<AuditRecord> {
    const flag = options.flag === undefined ? null : this.resolveFlag(options.flag);
    const after = parseCursor(options.cursor);
    const limit = clampLimit(options.limit);
    const rows = this.#storage.sql
      .exec<AuditRow>(
        `SELECT * FROM audit WHERE id > ? ${flag === null ? '' : 'AND flag = ?'} ORDER BY id LIMIT ?`,
        ...(flag === null ? [after, limit + 1] : [after, flag, limit + 1]),
      )
      .toArray();
    const items = rows.slice(0, limit).map(auditFromRow);
    return { items, next: rows.length > limit ? String(items.at(-1)?.id) : null };
  }

  /** Every revision, oldest first, optionally only those that changed one flag. */
  history(options: { readonly flag?: string; readonly cursor?: string; readonly limit?: number } = {}): Page<RevisionRecord> {
    const flag = options.flag === undefined ? null : this.resolveFlag(options.flag);
    const after = parseCursor(options.cursor);
    const limit = clampLimit(options.limit);
    const rows = this.#storage.sql
      .exec<RevisionRow>(
        `SELECT r.revision, r.at, r.actor, r.command, r.reason, r.restored_from,
                (SELECT group_concat(flag, ',') FROM (SELECT DISTINCT flag FROM audit a WHERE a.revision = r.revision AND a.before != a.after)) AS flags
         FROM revisions r
         WHERE r.revision > ? ${flag === null ? '' : 'AND EXISTS (SELECT 1 FROM audit a WHERE a.revision = r.revision AND a.flag = ? AND a.before != a.after)'}
         ORDER BY r.revision LIMIT ?`,
        ...(flag === null ? [after, limit + 1] : [after, flag, limit + 1]),
      )
      .toArray();
    const items = rows.slice(0, limit).map(
      (row): RevisionRecord => ({
        revision: row.revision,
        at: row.at,
        actor: row.actor,
        command: row.command,
        reason: row.reason,
        restoredFrom: row.restored_from,
        flags: row.flags ? row.flags.split(',').sort() : [],
      }),
    );
    return { items, next: rows.length > limit ? String(items.at(-1)?.revision) : null };
  }

  /** The document of an earlier revision, exactly as it was served. */
  revisionDocument(revision: number): string {
    const row = this.#storage.sql.exec<{ document: string }>('SELECT document FROM revisions WHERE revision = ?', revision).toArray()[0];
    if (!row) throw new ControlError('not-found', `there is no revision ${revision}`, { field: 'revision' });
    return row.document;
  }

  /** The latest audit entry of each flag. */
  lastChanges(): Record<string, AuditRecord> {
    const rows = this.#storage.sql.exec<AuditRow>('SELECT * FROM audit WHERE id IN (SELECT max(id) FROM audit GROUP BY flag)').toArray();
    return Object.fromEntries(rows.map((row) => [row.flag, auditFromRow(row)]));
  }

  // Webhook outbox ---------------------------------------------------------------------------

  /** Queues one delivery per URL for the current revision (inside the caller's transaction). */
  #enqueue(revision: number): void {
    for (const url of this.#webhookUrls) {
      // Only the newest revision matters to a receiver (it refetches the document): older pending ones are superseded.
      this.#storage.sql.exec(`UPDATE deliveries SET state = 'superseded' WHERE url = ? AND state = 'pending'`, url);
      this.#storage.sql.exec(`INSERT INTO deliveries (url, revision, state, attempts, next_at) VALUES (?, ?, 'pending', 0, ?)`, url, revision, this.#now());
    }
  }

  #webhookUrls: readonly string[] = [];

  /** The URLs changes are pushed to; set by the Durable Object from its configuration. */
  setWebhookUrls(urls: readonly string[]): void {
    this.#webhookUrls = [...new Set(urls)];
  }

  /** Pending deliveries due at `now`. */
  dueDeliveries(now: number): DeliveryRecord[] {
    return this.#storage.sql.exec<DeliveryRow>(`SELECT * FROM deliveries WHERE state = 'pending' AND next_at <= ? ORDER BY id`, now).toArray().map(deliveryFromRow);
  }

  /** When the next pending delivery is due, or null. */
  nextDeliveryAt(): number | null {
    const row = this.#storage.sql.exec<{ at: number | null }>(`SELECT min(next_at) AS at FROM deliveries WHERE state = 'pending'`).toArray()[0];
    return row?.at ?? null;
  }

  /** Records one attempt's outcome: delivered, retry at `retryAt`, or failed for good. */
  recordAttempt(id: number, result: { readonly ok: true } | { readonly ok: false; readonly error: string; readonly retryAt: number }): void {
    if (result.ok) {
      this.#storage.sql.exec(`UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE id = ? AND state = 'pending'`, new Date(this.#now()).toISOString(), id);
      return;
    }
    this.#storage.sql.exec(
      `UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_at = ?,
         state = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END
       WHERE id = ? AND state = 'pending'`,
      result.error.slice(0, 500),
      result.retryAt,
      MAX_DELIVERY_ATTEMPTS,
      id,
    );
  }

  /** The latest delivery per URL: what `status` shows. */
  deliveries(): DeliveryRecord[] {
    return this.#storage.sql
      .exec<DeliveryRow>(`SELECT * FROM deliveries WHERE id IN (SELECT max(id) FROM deliveries WHERE state != 'superseded' GROUP BY url) ORDER BY url`)
      .toArray()
      .map(deliveryFromRow);
  }

  // Internals --------------------------------------------------------------------------------

  /** Creates the first document, or completes the current one with flags added to the manifest since. */
  #bootstrap(): void {
    const row = this.#storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM revisions').one();
    if (row.n === 0) {
      const apiKey = randomKey();
      const named = createDocument(this.#manifest, { apiKey, revision: new Date(this.#now()).toISOString(), name: this.#environment });
      this.#storage.sql.exec(
        'INSERT INTO revisions (revision, at, actor, command, reason, restored_from, document) VALUES (1, ?, ?, ?, ?, NULL, ?)',
        new Date(this.#now()).toISOString(),
        'flagstage',
        'create',
        'environment created with every flag admin-only',
        JSON.stringify(named),
      );
      return;
    }
    const current = this.current();
    const completed = ensureFlags(current.document, this.#manifest);
    if (JSON.stringify(completed) !== JSON.stringify(current.document)) {
      this.#current = this.#storage.transactionSync(() =>
        this.#saveRevision(current, completed, { actor: 'flagstage', command: 'provision', reason: 'the manifest has flags the document lacked', restoredFrom: null }),
      );
    }
  }

  #saveRevision(
    current: CurrentDocument,
    next: EnvironmentDoc,
    meta: { readonly actor: string; readonly command: string; readonly reason: string; readonly restoredFrom: number | null },
  ): CurrentDocument {
    const revision = current.revision + 1;
    const document: EnvironmentDoc = { ...next, updated_at: nextUpdatedAt(current.document.updated_at, this.#now()) };
    const body = JSON.stringify(document);
    this.#storage.sql.exec(
      'INSERT INTO revisions (revision, at, actor, command, reason, restored_from, document) VALUES (?, ?, ?, ?, ?, ?, ?)',
      revision,
      new Date(this.#now()).toISOString(),
      meta.actor,
      meta.command,
      meta.reason,
      meta.restoredFrom,
      body,
    );
    this.#enqueue(revision);
    return { revision, body, document };
  }

  #appendAudit(entry: Omit<AuditRecord, 'id' | 'at'>): AuditRecord {
    const at = new Date(this.#now()).toISOString();
    const row = this.#storage.sql
      .exec<{ id: number }>(
        'INSERT INTO audit (at, actor, command, args, flag, reason, revision, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
        at,
        entry.actor,
        entry.command,
        JSON.stringify(entry.args),
        entry.flag,
        entry.reason,
        entry.revision,
        JSON.stringify(entry.before),
        JSON.stringify(entry.after),
      )
      .one();
    return { id: row.id, at, ...entry };
  }
}

/** The plan behind a change; the planners' usage errors become bad requests naming the field. */
function planChange(state: PlanState, flag: string, input: ChangeInput): Plan {
  try {
    switch (input.command) {
      case 'stage':
        return planStage(state, flag, input.stage, { force: input.force === true });
      case 'allow':
        return planAllow(state, flag, { users: input.users, orgs: input.orgs });
      case 'disallow':
        return planDisallow(state, flag, { users: input.users, orgs: input.orgs });
      case 'percent':
        return planPercent(state, flag, input.value, input.by);
      case 'ramp': {
        const percent = planPercent(state, flag, input.value, undefined);
        if (stageAtLeast(percent.after.stage, 'percentage')) return percent;
        const staged = planStage({ ...state, rollouts: { ...state.rollouts, [flag]: percent.after } }, flag, 'percentage', { force: false });
        return { after: staged.after, notes: [...percent.notes.filter((note) => !note.includes('takes effect from stage')), ...staged.notes] };
      }
      case 'kill':
        return planKill(state, flag, true);
      case 'revive':
        return planKill(state, flag, false);
    }
  } catch (error) {
    if (error instanceof ControlError) throw error;
    const text = error instanceof Error ? error.message.replace(/^flagstage:\s*/, '') : String(error);
    // The planners say what is wrong, then the fix after a semicolon.
    const cut = text.indexOf('; ');
    const message = cut === -1 ? text : text.slice(0, cut);
    const fix = cut === -1 ? 'see the message' : text.slice(cut + 2);
    throw new ControlError('bad-request', message, { field: FIELD_OF[input.command], fix });
  }
}

const FIELD_OF: Record<ChangeInput['command'], string> = { stage: 'stage', allow: 'users', disallow: 'users', percent: 'value', ramp: 'steps', kill: 'flag', revive: 'flag' };

/** The command's arguments as the CLI would spell them, for the audit log. */
function argsOf(flag: string, input: ChangeInput): string[] {
  switch (input.command) {
    case 'stage':
      return [flag, input.stage, ...(input.force ? ['--force'] : [])];
    case 'allow':
    case 'disallow':
      return [flag, ...input.users.flatMap((id) => ['--user', id]), ...input.orgs.flatMap((id) => ['--org', id])];
    case 'percent':
      return [flag, String(input.value), ...(input.by ? ['--by', input.by] : [])];
    case 'ramp':
      return [flag, String(input.value)];
    case 'kill':
    case 'revive':
      return [flag];
  }
}

function checkReason(reason: string): void {
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new ControlError('bad-request', 'every change needs a reason', { field: 'reason', fix: 'say why in "reason" (it goes to the audit log)' });
  }
}

function checkIfMatch(ifMatch: number | undefined, revision: number): void {
  if (ifMatch !== undefined && ifMatch !== revision) {
    throw new ControlError('conflict', `the environment is at revision ${revision}, not ${ifMatch}`, { revision, fix: 'read the current state and retry with If-Match set to its revision' });
  }
}

/** Strictly increasing ISO timestamps: the runtime refuses a document that is not newer than its own. */
function nextUpdatedAt(previous: string, now: number): string {
  const last = Date.parse(previous);
  return new Date(Number.isNaN(last) || now > last ? now : last + 1).toISOString();
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('').slice(0, 22);
}

function parseCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  if (!/^\d{1,15}$/.test(cursor)) throw new ControlError('bad-request', `cursor "${cursor}" is not one this API gave out`, { field: 'cursor', fix: 'pass the "next" value of the previous page, or no cursor for the first page' });
  return Number(cursor);
}

function clampLimit(limit: number | undefined): number {
  return limit === undefined ? 100 : Math.max(1, Math.min(1000, Math.floor(limit)));
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  command: string;
  args: string;
  flag: string;
  reason: string;
  revision: number;
  before: string;
  after: string;
  [column: string]: string | number | null;
}

interface RevisionRow {
  revision: number;
  at: string;
  actor: string;
  command: string;
  reason: string | null;
  restored_from: number | null;
  flags: string | null;
  [column: string]: string | number | null;
}

interface DeliveryRow {
  id: number;
  url: string;
  revision: number;
  state: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
  delivered_at: string | null;
  [column: string]: string | number | null;
}

function auditFromRow(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    command: row.command,
    args: JSON.parse(row.args) as string[],
    flag: row.flag,
    reason: row.reason,
    revision: row.revision,
    before: JSON.parse(row.before) as FlagRollout,
    after: JSON.parse(row.after) as FlagRollout,
  };
}

function deliveryFromRow(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    url: row.url,
    revision: row.revision,
    state: row.state as DeliveryRecord['state'],
    attempts: row.attempts,
    nextAt: row.next_at,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
  };
}
