import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
    throw new BackendError(`${path} is not valid JSON (${(error as Error).message}); ${FIX}`);
  }
  const problem = documentProblem(parsed);
  if (problem !== null) throw new BackendError(`${path} is not a Flagsmith environment document: ${problem}; ${FIX}`);
  return parsed as StagedDocument;
}

/**
 * Replaces the document atomically: the JSON goes to a temporary file in the same directory, is
 * flushed, then renamed over the old one, so a reader (the runtime's fileSource)
 * sees either the old document or the new one, never half of one.
 *
 * @example
 * ```ts
 * writeDocument('.flagstage/environment.json', doc);
 * ```
 */
export function writeDocument(path: string, doc: StagedDocument, expectedRevision: string | null): void {
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
    // The last check before the rename: the document must still be the one this change was made
    // from. It moves under us only when our lock was taken from us (or someone edited the file by
    // hand); renaming then would silently undo their change, a kill included.
    const onDisk = currentRevision(path);
    if (onDisk !== expectedRevision) {
      throw new BackendError(
        `${path} changed while this command held its lock (revision ${onDisk ?? 'none'}, expected ${expectedRevision ?? 'none'}); nothing was written: run the command again`,
      );
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Nothing to clean up.
    }
    if (error instanceof BackendError) throw error;
    throw new BackendError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

/**
 * Removes the temporary files a writer that crashed before its rename left beside the document.
 * Call it under the lock: only the lock's holder writes temporary files, so any other is left over.
 *
 * @example
 * ```ts
 * removeTemporaries('.flagstage/environment.json');
 * ```
 */
export function removeTemporaries(path: string): void {
  const directory = dirname(path);
  if (!existsSync(directory)) return;
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(directory)) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      try {
        unlinkSync(join(directory, name));
      } catch {
        // Gone already.
      }
    }
  }
}

function currentRevision(path: string): string | null {
  if (!existsSync(path)) return null;
  try {
    const value = (JSON.parse(readFileSync(path, 'utf8')) as { updated_at?: unknown }).updated_at;
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

const FIX = 'restore it from history (`git checkout -- <file>` or a backup), or delete it and run `flagstage provision` to start over with every flag admin-only';

/**
 * The first structural problem that would stop flagstage reading a document, naming where it is,
 * or null. Checks what the reader and writer walk (features, segments, rules, conditions); the
 * engine validates the rest when it compiles the document.
 */
function documentProblem(value: unknown): string | null {
  if (!isObject(value)) return 'it is not a JSON object';
  if (typeof value.api_key !== 'string') return 'api_key is missing';
  if (typeof value.updated_at !== 'string') return 'updated_at (the revision) is missing';
  const stateProblem = (state: unknown, where: string): string | null => {
    if (!isObject(state)) return `${where} is not an object`;
    if (!isObject(state.feature) || typeof state.feature.name !== 'string' || typeof state.feature.id !== 'number') return `${where}.feature needs a name and an id`;
    if (typeof state.enabled !== 'boolean') return `${where}.enabled is not true or false`;
    return null;
  };
  if (!Array.isArray(value.feature_states)) return 'feature_states is not a list';
  for (const [index, state] of value.feature_states.entries()) {
    const problem = stateProblem(state, `feature_states[${index}]`);
    if (problem !== null) return problem;
  }
  if (!isObject(value.project) || !Array.isArray(value.project.segments)) return 'project.segments is not a list';
  const ruleProblem = (rule: unknown, where: string): string | null => {
    if (!isObject(rule) || typeof rule.type !== 'string') return `${where} needs a type`;
    if (!Array.isArray(rule.conditions ?? []) || !Array.isArray(rule.rules ?? [])) return `${where}.conditions and .rules must be lists`;
    for (const [index, condition] of ((rule.conditions ?? []) as unknown[]).entries()) {
      if (!isObject(condition) || typeof condition.operator !== 'string') return `${where}.conditions[${index}] needs an operator`;
    }
    for (const [index, nested] of ((rule.rules ?? []) as unknown[]).entries()) {
      const problem = ruleProblem(nested, `${where}.rules[${index}]`);
      if (problem !== null) return problem;
    }
    return null;
  };
  for (const [index, segment] of value.project.segments.entries()) {
    const where = `project.segments[${index}]`;
    if (!isObject(segment) || typeof segment.name !== 'string') return `${where} needs a name`;
    if (!Array.isArray(segment.rules) || !Array.isArray(segment.feature_states)) return `${where}.rules and .feature_states must be lists`;
    for (const [ruleIndex, rule] of segment.rules.entries()) {
      const problem = ruleProblem(rule, `${where}.rules[${ruleIndex}]`);
      if (problem !== null) return problem;
    }
    for (const [stateIndex, state] of segment.feature_states.entries()) {
      const problem = stateProblem(state, `${where}.feature_states[${stateIndex}]`);
      if (problem !== null) return problem;
    }
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
