import type { SqlStorage } from '../platform';

/**
 * The plans' SQLite tables, beside the control plane's own (control/state/schema.ts). `plans` holds
 * each plan and where it is; a partial unique index allows one active plan per flag. `plan_steps`
 * holds what happened to each step, keyed by (plan, step): a step can be recorded once only, so
 * even a bug that ran a step twice would fail its transaction rather than change the flag twice.
 */
const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS plans (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     flag TEXT NOT NULL,
     steps TEXT NOT NULL,
     every_ms INTEGER NOT NULL,
     start_at INTEGER NOT NULL,
     then_stage TEXT,
     status TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     reason TEXT NOT NULL,
     next_index INTEGER NOT NULL,
     next_at INTEGER,
     paused_at INTEGER,
     paused_by TEXT,
     paused_reason TEXT,
     ended_at INTEGER,
     ended_by TEXT,
     ended_reason TEXT,
     guard TEXT,
     guard_tripped_at INTEGER,
     guard_rate REAL,
     guard_samples INTEGER
   )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS plans_one_active ON plans (flag) WHERE status IN ('scheduled', 'running', 'paused')`,
  `CREATE INDEX IF NOT EXISTS plans_due ON plans (status, next_at)`,
  `CREATE TABLE IF NOT EXISTS plan_steps (
     plan_id INTEGER NOT NULL REFERENCES plans(id),
     step INTEGER NOT NULL,
     outcome TEXT NOT NULL,
     due_at INTEGER NOT NULL,
     at INTEGER NOT NULL,
     revision INTEGER,
     audit_id INTEGER,
     PRIMARY KEY (plan_id, step)
   )`,
];

/**
 * Creates the plans' tables (idempotent).
 *
 * @example
 * ```ts
 * migratePlans(ctx.storage.sql);
 * ```
 */
export function migratePlans(sql: SqlStorage): void {
  for (const statement of STATEMENTS) sql.exec(statement);
}
