import type { SqlStorage } from '../platform';

/**
 * The Durable Object's SQLite schema. `revisions` holds every document the environment ever had
 * (the current one is the highest revision); `audit` is append-only (triggers refuse UPDATE and
 * DELETE); `deliveries` is the webhook outbox, written in the same transaction as the change it
 * announces, so a crash between the commit and the POST still delivers (from the alarm).
 */
const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS revisions (
     revision INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     command TEXT NOT NULL,
     reason TEXT,
     restored_from INTEGER,
     document TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     command TEXT NOT NULL,
     args TEXT NOT NULL,
     flag TEXT NOT NULL,
     reason TEXT NOT NULL,
     revision INTEGER NOT NULL REFERENCES revisions(revision),
     before TEXT NOT NULL,
     after TEXT NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS audit_by_flag ON audit (flag, id)`,
  `CREATE INDEX IF NOT EXISTS audit_by_revision ON audit (revision)`,
  `CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
  `CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`,
  `CREATE TABLE IF NOT EXISTS deliveries (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     url TEXT NOT NULL,
     revision INTEGER NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_at INTEGER NOT NULL,
     last_error TEXT,
     delivered_at TEXT
   )`,
  `CREATE INDEX IF NOT EXISTS deliveries_by_state ON deliveries (state, next_at)`,
];

/**
 * Creates the tables (idempotent).
 *
 * @example
 * ```ts
 * migrate(ctx.storage.sql);
 * ```
 */
export function migrate(sql: SqlStorage): void {
  for (const statement of STATEMENTS) sql.exec(statement);
}
