import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry } from './entry';

/**
 * Appends one entry as one line. A single `appendFile` of a whole line is one O_APPEND write, so
 * concurrent writers never interleave inside a line; the local backend also holds its lock here,
 * so lines are in revision order. A torn last line (a crash mid-write) is closed with a newline
 * first, so it never swallows this entry.
 *
 * @example
 * ```ts
 * appendAudit('.flagstage/audit.jsonl', entry);
 * ```
 */
export function appendAudit(path: string, entry: AuditEntry): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${endsTorn(path) ? '\n' : ''}${JSON.stringify(entry)}\n`);
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
      // A partial line after a crash: the rest of the log is still worth showing.
    }
  }
  return entries;
}

/**
 * Records the entry of a change about to be written, before the document is replaced: if the
 * process dies between the document and the audit line, `settlePending` finds it and appends it.
 *
 * @example
 * ```ts
 * writePending('.flagstage/audit.pending.json', entry); writeDocument(…); appendAudit(…); clearPending(…);
 * ```
 */
export function writePending(path: string, entry: AuditEntry): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(entry));
  renameSync(temporary, path);
}

/**
 * Removes the pending entry once its audit line is written.
 *
 * @example
 * ```ts
 * clearPending('.flagstage/audit.pending.json');
 * ```
 */
export function clearPending(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Not there.
  }
}

/**
 * Repairs the pair after a crash (call under the lock): a pending entry whose revision is the
 * document's is a change that was written but not audited, so its line is appended; any other
 * pending entry is a change that never reached the document, and is dropped. Returns the entry
 * appended, if any.
 *
 * @example
 * ```ts
 * settlePending('.flagstage/audit.pending.json', '.flagstage/audit.jsonl', doc.updated_at);
 * ```
 */
export function settlePending(pendingPath: string, auditPath: string, documentRevision: string | null): AuditEntry | null {
  if (!existsSync(pendingPath)) return null;
  let entry: AuditEntry | null = null;
  try {
    entry = JSON.parse(readFileSync(pendingPath, 'utf8')) as AuditEntry;
  } catch {
    // Torn while being written: the document was not replaced after it, so there is nothing to repair.
  }
  const written = entry !== null && entry.revision !== null && entry.revision === documentRevision;
  const logged = written && readAudit(auditPath).some((candidate) => candidate.revision === entry?.revision && candidate.backend === entry.backend);
  if (written && !logged && entry !== null) appendAudit(auditPath, entry);
  clearPending(pendingPath);
  return written && !logged ? entry : null;
}

function endsTorn(path: string): boolean {
  if (!existsSync(path)) return false;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}
