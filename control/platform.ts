/**
 * The parts of the Workers platform the control plane uses, typed structurally so the package needs
 * neither `@cloudflare/workers-types` nor `cloudflare:workers` at compile time: the real objects
 * (workerd's, Miniflare's) satisfy these interfaces.
 */

/** A row cursor of `ctx.storage.sql.exec`. */
export interface SqlCursor<T> {
  toArray(): T[];
  one(): T;
  readonly rowsWritten: number;
}

/** `ctx.storage.sql`: the Durable Object's SQLite database. */
export interface SqlStorage {
  exec<T = Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]): SqlCursor<T>;
}

export type SqlValue = string | number | null | ArrayBuffer;

/** `ctx.storage` of a SQLite-backed Durable Object. */
export interface DurableStorage {
  readonly sql: SqlStorage;
  transactionSync<T>(closure: () => T): T;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
  deleteAlarm(): Promise<void>;
}

/** The `ctx` a Durable Object's constructor receives. */
export interface DurableState {
  readonly storage: DurableStorage;
  waitUntil(promise: Promise<unknown>): void;
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** A Durable Object namespace binding. */
export interface DurableNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** The Worker's execution context. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}
