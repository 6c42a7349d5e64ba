import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { BackendError } from '../../io';
import type { StagedDocument } from '../../../runtime/stages/document';

/**
 * Reads the document, or null when the file does not exist yet.
 *
 * @example
 * ```ts
 * const doc = readDocument('.flagstage/environment.json');
 * ```
 */
export function readDocument(path: string): StagedDocument | null {
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BackendError(`${path} is not valid JSON (${(error as Error).message}); restore it from version control or delete it to start over`);
  }
  if (!isDocument(parsed)) {
    throw new BackendError(`${path} is not a Flagsmith environment document (it needs api_key, feature_states and project.segments)`);
  }
  return parsed;
}

/**
 * Replaces the document atomically: the JSON goes to a temporary file in the same directory, is
 * flushed, then renamed over the old one, so a reader (the runtime's fileSource, `flagstage dev`)
 * sees either the old document or the new one, never half of one.
 *
 * @example
 * ```ts
 * writeDocument('.flagstage/environment.json', doc);
 * ```
 */
export function writeDocument(path: string, doc: StagedDocument): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, `${JSON.stringify(doc, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Nothing to clean up.
    }
    throw new BackendError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

function isDocument(value: unknown): value is StagedDocument {
  if (typeof value !== 'object' || value === null) return false;
  const doc = value as Partial<StagedDocument>;
  return typeof doc.api_key === 'string' && Array.isArray(doc.feature_states) && Array.isArray(doc.project?.segments);
}
