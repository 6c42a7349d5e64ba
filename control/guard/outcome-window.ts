import type { DurableStorage } from '../platform';
import type { Measured } from './settings';

/** The width of one bucket of the sliding window: a window of N ms spans N / 10 s buckets (plus the oldest, partly). */
export const BUCKET_MS = 10_000;

/** Buckets are kept at least this long (longer while an active guard's window needs them). */
export const MIN_RETENTION_MS = 3_600_000;

/** Why a batch was refused, as `status` counts them. */
export type Refusal = 'unauthenticated' | 'malformed' | 'oversized';

/** What `status.outcomes` shows: batches taken and refused since the environment began. */
export interface IngestCounters {
  readonly batches: number;
  /** Outcomes counted for a guard (decision reason allowlist or percentage). */
  readonly counted: number;
  /** Outcomes taken but not counted (reason ga: not the rollout's doing). */
  readonly ignored: number;
  readonly refused: Readonly<Record<Refusal, number>>;
}

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS outcome_buckets (
     flag TEXT NOT NULL,
     bucket INTEGER NOT NULL,
     samples INTEGER NOT NULL DEFAULT 0,
     errors INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (flag, bucket)
   )`,
  `CREATE TABLE IF NOT EXISTS outcome_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
];

const COUNTERS = ['batches', 'counted', 'ignored', 'refused.unauthenticated', 'refused.malformed', 'refused.oversized'] as const;
type Counter = (typeof COUNTERS)[number];

/**
 * The outcomes a guard looks at, per flag, in the Durable Object's SQLite: 10-second buckets of
 * (samples, errors), counted at the control plane's clock when a batch arrives (a client's clock is
 * not trusted), pruned once older than every active guard's window. Also counts the batches taken
 * and refused, for `status`.
 *
 * @example
 * ```ts
 * const window = new OutcomeWindow(ctx.storage, { now: Date.now });
 * window.add([{ flag: 'gastown', samples: 40, errors: 2 }]);
 * window.measure('gastown', Date.now() - 600_000); // { samples: 40, errors: 2 }
 * ```
 */
export class OutcomeWindow {
  readonly #storage: DurableStorage;
  readonly #now: () => number;

  constructor(storage: DurableStorage, options: { readonly now?: () => number } = {}) {
    this.#storage = storage;
    this.#now = options.now ?? Date.now;
    for (const statement of STATEMENTS) storage.sql.exec(statement);
  }

  /** Adds a batch's rollout outcomes to the current bucket, and counts the batch (one transaction). */
  add(counts: readonly { readonly flag: string; readonly samples: number; readonly errors: number }[], ignored: number): void {
    const bucket = Math.floor(this.#now() / BUCKET_MS);
    this.#storage.transactionSync(() => {
      let counted = 0;
      for (const { flag, samples, errors } of counts) {
        if (samples === 0) continue;
        counted += samples;
        this.#storage.sql.exec(
          `INSERT INTO outcome_buckets (flag, bucket, samples, errors) VALUES (?, ?, ?, ?)
           ON CONFLICT (flag, bucket) DO UPDATE SET samples = samples + excluded.samples, errors = errors + excluded.errors`,
          flag,
          bucket,
          samples,
          errors,
        );
      }
      this.#count('batches', 1);
      this.#count('counted', counted);
      this.#count('ignored', ignored);
    });
  }

  /** The outcomes of `flag` from `since` (ms) to now: every bucket that ends after `since`. */
  measure(flag: string, since: number): Measured {
    const row = this.#storage.sql
      .exec<{ samples: number | null; errors: number | null }>('SELECT sum(samples) AS samples, sum(errors) AS errors FROM outcome_buckets WHERE flag = ? AND bucket >= ?', flag, Math.floor(since / BUCKET_MS))
      .one();
    return { samples: row.samples ?? 0, errors: row.errors ?? 0 };
  }

  /** Drops buckets older than `keepMs` (at least an hour). */
  prune(keepMs: number): void {
    const oldest = Math.floor((this.#now() - Math.max(keepMs, MIN_RETENTION_MS)) / BUCKET_MS);
    this.#storage.sql.exec('DELETE FROM outcome_buckets WHERE bucket < ?', oldest);
  }

  /** Counts a refused batch. */
  refused(why: Refusal): void {
    this.#count(`refused.${why}`, 1);
  }

  counters(): IngestCounters {
    const rows = this.#storage.sql.exec<{ name: string; value: number }>('SELECT name, value FROM outcome_counters').toArray();
    const value = (name: Counter) => rows.find((row) => row.name === name)?.value ?? 0;
    return {
      batches: value('batches'),
      counted: value('counted'),
      ignored: value('ignored'),
      refused: { unauthenticated: value('refused.unauthenticated'), malformed: value('refused.malformed'), oversized: value('refused.oversized') },
    };
  }

  #count(name: Counter, by: number): void {
    if (by === 0) return;
    this.#storage.sql.exec('INSERT INTO outcome_counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value', name, by);
  }
}
