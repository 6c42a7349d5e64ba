// Shared by the adapter tests: Gastown's real manifest and the real runtime (createFlagstage over a
// static document built at a given stage), with the source wrapped to record what it is handed.
import { createFlagstage, staticSource, type Flagstage, type Identity, type WaitUntil } from 'flagstage';
import { manifest } from '../../flags.gen';
import { buildDocument, type FlagSetup } from '../../runtime/testing/index';

export const users = {
  admin: { userId: 'u-admin', orgId: 'o-staff', isAdmin: true },
  alice: { userId: 'u-alice', orgId: 'o-acme', isAdmin: false },
  bob: { userId: 'u-bob', orgId: 'o-other', isAdmin: false },
} as const satisfies Record<string, Identity>;

/** Gastown (and so its sub-flags' parent) allowlisted for alice only; convoys GA under it. */
export const aliceOnly: Rollout = { gastown: { stage: 'allowlist', users: [users.alice.userId] }, convoys: { stage: 'ga' } };

/** The same rollout with Gastown's kill-switch on. */
export const killed = (rollout: Rollout): Rollout => ({ ...rollout, gastown: { ...rollout.gastown, killed: true } });

/** Gastown at GA for everyone. */
export const everyone: Rollout = { gastown: { stage: 'ga' }, convoys: { stage: 'ga' } };

export type Rollout = NonNullable<Parameters<typeof buildDocument>[1]>;
export type { FlagSetup };

const handedContexts = new WeakMap<Flagstage, (WaitUntil | undefined)[]>();

/** Every context the flags' source was handed (to check the waitUntil plumbing). */
export function contextsOf(flags: Flagstage): (WaitUntil | undefined)[] {
  return handedContexts.get(flags) ?? [];
}

/** The real runtime over a document at the given stages. */
export function flagsFor(rollout: Rollout): Flagstage {
  const inner = staticSource(buildDocument(manifest, rollout));
  const contexts: (WaitUntil | undefined)[] = [];
  const source = {
    ...inner,
    current(context?: WaitUntil) {
      contexts.push(context);
      return inner.current(context);
    },
  };
  const flags = createFlagstage({ manifest, source });
  handedContexts.set(flags, contexts);
  return flags;
}
