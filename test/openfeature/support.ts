// Shared by the OpenFeature tests: Gastown's manifest, a source whose document the test replaces
// (announcing each new revision like a real source), and the rollout every test walks through.
import { manifest } from '../../flags.gen';
import { compileEnvironment, type EnvironmentDocument } from '../../runtime/engine/index';
import type { Identity } from '../../runtime/identity';
import { documentListeners } from '../../runtime/sources/listeners';
import type { DocumentSource, LoadedDocument } from '../../runtime/sources/source';
import { buildDocument, type FlagSetup } from '../../runtime/testing/index';

export { manifest };
export type Key = keyof typeof manifest.flags;
export const KEYS = Object.keys(manifest.flags) as Key[];
export type Setup = Partial<Record<Key, FlagSetup>>;

/** Gastown's rollout, stage by stage (sub-flags follow along), as DESIGN.md describes it. */
export const ROLLOUT: readonly { readonly name: string; readonly setup: Setup }[] = [
  { name: 'admin-only', setup: {} },
  { name: 'allowlist', setup: { gastown: { stage: 'allowlist', users: ['u1', 'u2', 'u3'], orgs: ['acme'] }, convoys: { stage: 'allowlist', users: ['u1'] } } },
  { name: 'percentage 10', setup: { gastown: { stage: 'percentage', users: ['u1', 'u2', 'u3'], orgs: ['acme'], percent: 10 }, convoys: { stage: 'allowlist', users: ['u1'] }, prMerge: { stage: 'allowlist', orgs: ['acme'] } } },
  { name: 'percentage 50', setup: { gastown: { stage: 'percentage', users: ['u1', 'u2', 'u3'], orgs: ['acme'], percent: 50 }, convoys: { stage: 'percentage', percent: 30 }, prMerge: { stage: 'allowlist', orgs: ['acme'] } } },
  { name: 'killed', setup: { gastown: { stage: 'percentage', users: ['u1', 'u2', 'u3'], orgs: ['acme'], percent: 50, killed: true }, convoys: { stage: 'percentage', percent: 30 }, prMerge: { stage: 'allowlist', orgs: ['acme'] } } },
  { name: 'revived', setup: { gastown: { stage: 'percentage', users: ['u1', 'u2', 'u3'], orgs: ['acme'], percent: 50 }, convoys: { stage: 'percentage', percent: 30 }, prMerge: { stage: 'allowlist', orgs: ['acme'] } } },
  { name: 'ga', setup: { gastown: { stage: 'ga' }, convoys: { stage: 'ga' }, prMerge: { stage: 'percentage', percent: 50 }, multiRig: { stage: 'allowlist', users: ['u2'] } } },
];

/** 200 users in 20 orgs (acme among them), plus an admin. */
export function population(): Identity[] {
  const people: Identity[] = Array.from({ length: 200 }, (_, index) => ({ userId: `u${index}`, orgId: index % 10 === 0 ? 'acme' : `org${index % 20}`, isAdmin: false }));
  people.push({ userId: 'boss', orgId: null, isAdmin: true });
  return people;
}

export function documentFor(setup: Setup): EnvironmentDocument {
  return buildDocument(manifest, setup);
}

/** A source holding whatever document the test last put in it, announcing new revisions to subscribers. */
export interface SwitchableSource extends DocumentSource {
  put(document: EnvironmentDocument | null): void;
}

export function switchableSource(initial: EnvironmentDocument | null): SwitchableSource {
  const listeners = documentListeners(() => undefined);
  let loaded: LoadedDocument | null = null;
  const put = (document: EnvironmentDocument | null) => {
    if (document === null) {
      loaded = null;
      return;
    }
    const compiled = compileEnvironment(document);
    const previous = loaded;
    loaded = { revision: compiled.revision, document, fetchedAt: Date.now() };
    listeners.publish(loaded, previous);
  };
  put(initial);
  return {
    put,
    current: async () => loaded,
    subscribe: (listener) => listeners.subscribe(listener),
  };
}
