import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry } from './entry';

/**
 * Appends one entry as one line. A single `appendFile` of a whole line is one O_APPEND write, so
 * concurrent writers never interleave inside a line; the local backend also holds its lock here,
 * so lines are in revision order.
 *
 * @example
 * ```ts
 * appendAudit('.flagstage/audit.jsonl', entry);
 * ```
 */
export function appendAudit(path: string, entry: AuditEntry): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(entry)}\n`);
}

/**
 * Reads the audit log, oldest first. A line that is not JSON (a torn write from a crash) is
 * skipped rather than hiding every other entry.
 *
 * @example
 * ```ts
 * const entries = readAudit('.flagstage/audit.jsonl').filter((e) => e.flag === 'gastown');
 * ```
 */
export function readAudit(path: string): AuditEntry[] {
  if (!existsSync(path)) return [];
  const entries: AuditEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as AuditEntry);
    } catch {
      // A partial last line after a crash: the rest of the log is still worth showing.
    }
  }
  return entries;
}
