import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyRollout, createDocument, ensureFlags, withRevision } from '../../../runtime/stages/apply';
import type { StagedDocument } from '../../../runtime/stages/document';
import { readRollout } from '../../../runtime/stages/read';
import { nextRevision } from '../../../runtime/stages/revision';
import { rolloutPatch, sameRollout } from '../../../runtime/stages/rollout';
import { auditEntry } from '../../audit/entry';
import { appendAudit, clearPending, readAudit, settlePending, writePending } from '../../audit/log';
import type { Backend, BackendOptions, ChangeResult, ProvisionReport } from '../../backend';
import { BackendError, UsageError } from '../../io';
import { lockOptions, withLock } from './lock';
import { readDocument, removeTemporaries, writeDocument } from './store';

/**
 * The files of the local backend inside the state directory.
 *
 * @example
 * ```ts
 * localPaths('.flagstage').document; // '.flagstage/environment.json'
 * ```
 */
export function localPaths(stateDir: string) {
  const document = join(stateDir, 'environment.json');
  return { document, lock: `${document}.lock`, audit: join(stateDir, 'audit.jsonl'), pending: join(stateDir, 'audit.pending.json') };
}

/**
 * The embedded backend: a Flagsmith environment document at `.flagstage/environment.json`, created
 * on first use with every flag admin-only, and the audit log `.flagstage/audit.jsonl`. Every write
 * (document and audit line) happens under one lock file, so concurrent commands lose nothing and
 * the audit log is in revision order. A change's audit entry is written as pending before the
 * document is replaced, so a crash between the two is repaired by the next command; the rename
 * happens only if the document is still the revision the change was planned on.
 *
 * @example
 * ```ts
 * const backend = localBackend({ manifest, stateDir: '.flagstage', env: process.env });
 * const { rollouts } = await backend.read();
 * ```
 */
export function localBackend(options: BackendOptions): Backend {
  const { manifest } = options;
  const now = options.now ?? Date.now;
  const paths = localPaths(options.stateDir);
  const locking = lockOptions(options);

  /** The document, created if missing and completed with flags added to the manifest since. Under the lock only. */
  const load = (): { doc: StagedDocument; stored: StagedDocument | null } => {
    // Whatever a crashed writer left: its temporary files, and an audit entry it had not appended.
    removeTemporaries(paths.document);
    const stored = readDocument(paths.document);
    settlePending(paths.pending, paths.audit, stored?.updated_at ?? null);
    const base = stored ?? createDocument(manifest, { apiKey: randomBytes(16).toString('base64url').slice(0, 22), revision: nextRevision(null, now()), name: 'flagstage local' });
    return { doc: ensureFlags(base, manifest), stored };
  };

  const persist = (doc: StagedDocument, stored: StagedDocument | null): StagedDocument => {
    const saved = withRevision(doc, nextRevision(stored?.updated_at ?? null, now()));
    writeDocument(paths.document, saved, stored?.updated_at ?? null);
    return saved;
  };

  return {
    kind: 'local',
    location: paths.document,

    async read() {
      let doc = existsSync(paths.document) ? readDocument(paths.document) : null;
      if (doc === null) {
        doc = await withLock(paths.lock, () => {
          const { doc: created, stored } = load();
          return stored ?? persist(created, null);
        }, locking);
      }
      // Read as the runtime reads it (not completed with ensureFlags): a missing kill-switch feature
      // counts as killed there, so status must say so rather than show a recreated, disabled one.
      return { document: doc, revision: doc.updated_at, rollouts: readRollout(manifest, doc) };
    },

    change(request) {
      return withLock(paths.lock, (): ChangeResult => {
        const { doc, stored } = load();
        const rollouts = readRollout(manifest, doc);
        const before = rollouts[request.flag];
        if (before === undefined) throw new UsageError(`"${request.flag}" is not a flag of this manifest`);
        const plan = request.plan({ manifest, rollouts });
        if (sameRollout(before, plan.after)) {
          if (stored === null) persist(doc, null);
          return { flag: request.flag, changed: false, before, after: before, revision: stored?.updated_at ?? null, notes: plan.notes, entry: null };
        }
        const next = applyRollout(doc, manifest, request.flag, rolloutPatch(before, plan.after));
        const after = readRollout(manifest, next)[request.flag];
        if (after === undefined || !sameRollout(after, plan.after)) {
          // The writer and the reader disagree: store nothing nobody asked for, and record the attempt.
          const problem = `the document would read back as ${JSON.stringify(after)} instead of ${JSON.stringify(plan.after)}`;
          appendAudit(paths.audit, { ...auditEntry(request, { at: new Date(now()).toISOString(), backend: 'local', environment: doc.api_key, revision: stored?.updated_at ?? null, before, after: plan.after }), outcome: 'refused', problem });
          throw new BackendError(`${request.flag}: ${problem}; nothing was written (the attempt is in the audit log)`);
        }
        const revision = nextRevision(stored?.updated_at ?? null, now());
        const entry = auditEntry(request, { at: new Date(now()).toISOString(), backend: 'local', environment: next.api_key, revision, before, after });
        writePending(paths.pending, entry);
        try {
          writeDocument(paths.document, withRevision(next, revision), stored?.updated_at ?? null);
        } catch (error) {
          clearPending(paths.pending);
          throw error;
        }
        appendAudit(paths.audit, entry);
        clearPending(paths.pending);
        return { flag: request.flag, changed: true, before, after, revision, notes: plan.notes, entry };
      }, locking);
    },

    provision() {
      return withLock(paths.lock, (): ProvisionReport => {
        const { doc, stored } = load();
        const names = (d: StagedDocument | null) => [
          ...(d?.feature_states ?? []).map((state) => `feature ${state.feature.name}`),
          ...(d?.project.segments ?? []).map((segment) => `segment ${segment.name}`),
          ...(d?.project.segments ?? []).flatMap((segment) => segment.feature_states.map((state) => `override ${segment.name} -> ${state.feature.name}`)),
        ];
        const had = new Set(names(stored));
        const created = names(doc).filter((name) => !had.has(name));
        if (stored === null || created.length > 0) persist(doc, stored);
        return { created, existing: names(doc).filter((name) => had.has(name)) };
      }, locking);
    },

    async audit() {
      // A change that crashed after its document and before its audit line is completed first.
      if (existsSync(paths.pending)) await withLock(paths.lock, () => void settlePending(paths.pending, paths.audit, readDocument(paths.document)?.updated_at ?? null), locking);
      return readAudit(paths.audit).filter((entry) => entry.backend === 'local');
    },
  };
}
