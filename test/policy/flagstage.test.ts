import { describe, expect, it } from 'vitest';
import { compileEnvironment } from '../../runtime/engine/index';
import { createFlagstage } from '../../runtime/flagstage';
import type { Manifest } from '../../runtime/manifest/types';
import type { FlagBackend } from '../../runtime/policy/backend';
import { watchChanges, type ChangeEvent } from 'flagstage/changes';
import { flagsmithBackend } from '../../runtime/policy/flagsmith-backend';
import type { MemoHolder } from '../../runtime/policy/memo';
import type { DocumentSource, LoadedDocument } from '../../runtime/sources/source';
import { staticSource } from '../../runtime/sources/static';
import { buildDocument } from '../../runtime/testing/index';
import { admin, flagsFor, manifest, user, type Setup } from './setup';
import { explain } from 'flagstage/explain';

/** A source whose document the test swaps, announcing each new one like a real source does. */
function mutableSource(setup: Setup) {
  const load = (next: Setup): LoadedDocument => {
    const document = buildDocument(manifest, next);
    const compiled = compileEnvironment(document);
    return { revision: compiled.revision, document, fetchedAt: Date.now() };
  };
  let current = load(setup);
  const listeners = new Set<(next: LoadedDocument, previous: LoadedDocument | null) => void>();
  const source: DocumentSource = {
    current: async () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    get loaded() {
      return current;
    },
    set(next: Setup) {
      const previous = current;
      current = load(next);
      for (const listener of listeners) listener(current, previous);
    },
  };
}

describe('createFlagstage', () => {
  it('returns the decision with the document revision', async () => {
    const mutable = mutableSource({ gastown: { stage: 'ga' } });
    const flags = createFlagstage({ manifest, source: mutable.source });
    expect(await flags.decide('gastown', user('u1'))).toEqual({
      flag: 'gastown',
      allowed: true,
      reason: 'ga',
      stage: 'ga',
      killed: false,
      revision: mutable.loaded.revision,
    });
  });

  it('snapshots every flag for hydration', async () => {
    const flags = flagsFor({ gastown: { stage: 'ga' }, convoys: { stage: 'allowlist', users: ['u1'] }, molecules: { stage: 'ga' } });
    const snapshot = await flags.snapshot(user('u1'));
    expect(snapshot.flags).toEqual({ gastown: true, convoys: true, prMerge: false, multiRig: false, molecules: true });
    expect(snapshot.revision).toMatch(/^\d{4}-/);
    expect((await flags.snapshot(user('u2'))).flags.convoys).toBe(false);
  });

  it('evaluates an identity once per request (memo keyed by the Identity object and revision)', async () => {
    const mutable = mutableSource({ gastown: { stage: 'ga' }, convoys: { stage: 'ga' } });
    let evaluations = 0;
    const flags = createFlagstage({
      manifest,
      source: mutable.source,
      backend: (m, loaded) => {
        // Its rollouts leave the lists unread (explain reads them from `document`, which the spread keeps).
        const inner = flagsmithBackend(m, loaded) as FlagBackend<keyof typeof m.flags & string>;
        return { ...inner, evaluate: (identity) => (evaluations++, inner.evaluate(identity)) };
      },
    });
    const identity = user('u1');
    const first = await flags.decide('gastown', identity);
    await flags.snapshot(identity);
    await explain(flags, 'convoys', identity);
    expect(await flags.decide('gastown', identity)).toBe(first);
    expect(evaluations).toBe(1);

    // The same user in another request (a new Identity object) is evaluated afresh.
    await flags.decide('gastown', user('u1'));
    expect(evaluations).toBe(2);

    // A new revision invalidates the memo of an identity object that outlives it.
    mutable.set({ gastown: { stage: 'admin-only' } });
    expect(await flags.decide('gastown', identity)).toMatchObject({ allowed: false, reason: 'not-enabled', revision: mutable.loaded.revision });
    expect(evaluations).toBe(3);
  });

  it('keeps the memo of a request while other requests interleave, and never answers a mutated identity from it', async () => {
    const mutable = mutableSource({ gastown: { stage: 'allowlist', users: ['u1'] } });
    const evaluated: string[] = [];
    const flags = createFlagstage({
      manifest,
      source: mutable.source,
      backend: (m, loaded) => {
        // Its rollouts leave the lists unread (explain reads them from `document`, which the spread keeps).
        const inner = flagsmithBackend(m, loaded) as FlagBackend<keyof typeof m.flags & string>;
        return { ...inner, evaluate: (identity) => (evaluated.push(identity.userId), inner.evaluate(identity)) };
      },
    });
    const a = user('a');
    await flags.decide('gastown', a);
    await flags.decide('gastown', a);
    // Many other requests in between (more than the recent ring holds): a's memo survives.
    for (let i = 0; i < 40; i++) await flags.decide('gastown', user(`other-${i}`));
    await flags.decide('convoys', a);
    expect(evaluated.filter((id) => id === 'a')).toHaveLength(1);

    // An identity object reused with other fields is decided afresh, not from the old memo.
    const reused = { userId: 'nobody', orgId: null, isAdmin: false };
    expect(await flags.decide('gastown', reused)).toMatchObject({ allowed: false });
    reused.userId = 'u1';
    expect(await flags.decide('gastown', reused)).toMatchObject({ allowed: true, reason: 'allowlist' });
    (reused as { isAdmin: boolean }).isAdmin = true;
    expect(await flags.decide('gastown', reused)).toMatchObject({ allowed: true, reason: 'admin' });

    // The same once its memo has left the recent ring for the longer-lived store.
    const kept = { userId: 'nobody', orgId: null, isAdmin: false };
    expect(await flags.decide('gastown', kept)).toMatchObject({ allowed: false });
    expect(await flags.decide('convoys', kept)).toMatchObject({ allowed: false });
    for (let i = 0; i < 40; i++) await flags.decide('gastown', user(`later-${i}`));
    kept.userId = 'u1';
    expect(await flags.decide('gastown', kept)).toMatchObject({ allowed: true, reason: 'allowlist' });
  });

  it("keeps a request's memo in the request's holder (decideFresh): shared by its decisions, never answering a mutated identity or an older revision from it", () => {
    const mutable = mutableSource({ gastown: { stage: 'allowlist', users: ['u1'] } });
    const evaluated: string[] = [];
    const flags = createFlagstage({
      manifest,
      // A source holding its document fresh in memory: decideFresh answers synchronously.
      source: { ...mutable.source, fresh: () => mutable.loaded },
      backend: (m, loaded) => {
        const inner = flagsmithBackend(m, loaded) as FlagBackend<keyof typeof m.flags & string>;
        return { ...inner, evaluate: (identity) => (evaluated.push(identity.userId), inner.evaluate(identity)) };
      },
    });
    const identity = { userId: 'u1', orgId: null, isAdmin: false };
    const holder: MemoHolder = { memoEntry: undefined };
    expect(flags.decideFresh('gastown', identity, undefined, holder)).toMatchObject({ allowed: true, reason: 'allowlist' });
    expect(holder.memoEntry).toBeDefined();
    // convoys decides its parent gastown again: from the holder's memo, one evaluation in all.
    flags.decideFresh('convoys', identity, undefined, holder);
    expect(evaluated).toEqual(['u1']);
    // The ring of recent identities was not used: deciding the same object without a holder evaluates it again.
    flags.decideFresh('gastown', identity);
    expect(evaluated).toEqual(['u1', 'u1']);

    // The identity mutated in place: decided afresh, not from the held memo.
    identity.userId = 'u2';
    expect(flags.decideFresh('gastown', identity, undefined, holder)).toMatchObject({ allowed: false, reason: 'not-enabled' });
    (identity as { isAdmin: boolean }).isAdmin = true;
    expect(flags.decideFresh('gastown', identity, undefined, holder)).toMatchObject({ allowed: true, reason: 'admin' });
    (identity as { isAdmin: boolean }).isAdmin = false;

    // A new revision between two decisions of one request: the new revision decides.
    identity.userId = 'u1';
    expect(flags.decideFresh('gastown', identity, undefined, holder)).toMatchObject({ allowed: true, reason: 'allowlist' });
    mutable.set({ gastown: { stage: 'allowlist', users: ['u2'] } });
    expect(flags.decideFresh('gastown', identity, undefined, holder)).toMatchObject({ allowed: false, reason: 'not-enabled', revision: mutable.loaded.revision });
    // And an identity without a userId is refused through a holder too.
    expect(() => flags.decideFresh('gastown', { userId: '', isAdmin: false }, undefined, { memoEntry: undefined })).toThrow(/userId/);
  });

  it('never lets extra traits override is_admin, user_id or org_id', async () => {
    const flags = flagsFor({ gastown: { stage: 'allowlist', users: ['vip'], orgs: ['vip-org'] } });
    const spoof = { userId: 'u1', orgId: null, isAdmin: false, traits: { is_admin: true, user_id: 'vip', org_id: 'vip-org' } };
    expect(await flags.decide('gastown', spoof)).toMatchObject({ allowed: false, reason: 'not-enabled' });
    // The admins segment (is_admin EQUAL true) must not match a spoofed trait either.
    const explanation = await explain(flags, 'gastown', spoof);
    expect(explanation.segment).not.toBe('flagstage_admins');
    // A truthy non-boolean isAdmin is not an admin.
    expect(await flags.decide('gastown', { userId: 'u2', isAdmin: 'true' as unknown as boolean })).toMatchObject({ allowed: false });
  });

  it('passes extra traits through to the engine', async () => {
    const flags = flagsFor({ gastown: { stage: 'ga' } });
    expect(await flags.decide('gastown', { userId: 'u1', isAdmin: false, traits: { plan: 'pro', seats: 3 } })).toMatchObject({ allowed: true });
  });

  it('refuses an identity without a userId', async () => {
    const flags = flagsFor({ gastown: { stage: 'ga' } });
    await expect(flags.decide('gastown', { userId: '', isAdmin: false })).rejects.toThrow(/^flagstage: an identity needs a non-empty userId/);
    await expect(flags.decide('gastown', {} as never)).rejects.toThrow(/^flagstage:/);
  });

  it('refuses an unknown flag', async () => {
    const flags = flagsFor({});
    await expect(flags.decide('nope' as 'gastown', user('u1'))).rejects.toThrow(/^flagstage: unknown flag "nope"/);
  });

  it('emits one change event per changed flag when a new revision changes a rollout (watchChanges, flagstage/changes)', async () => {
    const mutable = mutableSource({ gastown: { stage: 'allowlist', users: ['u1'] } });
    const events: ChangeEvent[] = [];
    const stop = watchChanges(mutable.source, { manifest, onChange: (event) => void events.push(event), console: false });
    mutable.set({ gastown: { stage: 'percentage', users: ['u1'], percent: 10 } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      flag: 'gastown',
      revision: mutable.loaded.revision,
      before: { stage: 'allowlist', killed: false, allowlist: { users: ['u1'], orgs: [] }, percentage: null },
      after: { stage: 'percentage', percentage: { value: 10, by: 'user' } },
    });
    expect(Date.parse(events[0]!.at)).not.toBeNaN();
    // A new revision that changes nothing about any rollout is no event.
    mutable.set({ gastown: { stage: 'percentage', users: ['u1'], percent: 10 } });
    expect(events).toHaveLength(1);
    mutable.set({ gastown: { stage: 'percentage', users: ['u1'], percent: 10, killed: true }, molecules: { stage: 'ga' } });
    expect(events.slice(1).map((event) => [event.flag, event.after.killed, event.after.stage])).toEqual([
      ['gastown', true, 'percentage'],
      ['molecules', false, 'ga'],
    ]);
    stop();
    mutable.set({ gastown: { stage: 'ga' } });
    expect(events).toHaveLength(3);
  });

  it('logs each change as a JSON line when watched, unless told not to; createFlagstage alone emits none (opt-in since 0.2)', async () => {
    const mutable = mutableSource({});
    const log = console.log;
    const lines: string[] = [];
    console.log = (line: string) => lines.push(line);
    try {
      createFlagstage({ manifest, source: mutable.source });
      createFlagstage({ manifest, source: mutable.source, logChanges: false });
      watchChanges(mutable.source, { manifest });
      watchChanges(mutable.source, { manifest, console: false });
      mutable.set({ gastown: { stage: 'ga' } });
    } finally {
      console.log = log;
    }
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ type: 'flagstage.change', flag: 'gastown', after: expect.objectContaining({ stage: 'ga' }) })]);
  });

  it('refuses the 0.1 change-event options, naming flagstage/changes, rather than dropping the events', () => {
    const mutable = mutableSource({});
    for (const options of [{ onChange: () => undefined }, { logChanges: true }]) {
      expect(() => createFlagstage({ manifest, source: mutable.source, ...(options as object) })).toThrow(
        expect.objectContaining({ code: 'invalid-option', message: expect.stringMatching(/no longer emits change events: use watchChanges\(source, \{ manifest, onChange \}\) from 'flagstage\/changes'/) }),
      );
    }
  });

  it('reports a failing change sink instead of throwing it into the source', async () => {
    const mutable = mutableSource({});
    const warn = console.warn;
    const lines: string[] = [];
    console.warn = (line: string) => lines.push(line);
    try {
      watchChanges(mutable.source, { manifest, console: false, onChange: () => { throw new Error('sink broken'); } });
      watchChanges(mutable.source, { manifest, console: false, onChange: async () => { throw new Error('sink down'); } });
      mutable.set({ gastown: { stage: 'ga' } });
      await new Promise((resolve) => setTimeout(resolve, 0));
    } finally {
      console.warn = warn;
    }
    expect(lines.map((line) => JSON.parse(line).message).sort()).toEqual([
      'flagstage: a change event sink failed (sink broken).',
      'flagstage: a change event sink failed (sink down).',
    ]);
  });

  it('accepts another backend behind the same policy', async () => {
    const backend: FlagBackend<keyof typeof manifest.flags> = {
      revision: 'other-1',
      rollout: (flag) => ({ flag, stage: 'allowlist', killed: false, allowlist: { users: ['u1'], orgs: [] }, percentage: null }),
      evaluate: (identity) => ({
        answer: () =>
          identity.userId === 'u1'
            ? { enabled: true, by: 'allowlist', segment: 'beta', detail: 'provider said yes' }
            : { enabled: false, by: null, segment: null, detail: 'provider said no' },
      }),
    };
    const flags = createFlagstage({ manifest, source: staticSource(buildDocument(manifest, {})), backend: () => backend });
    expect(await flags.decide('convoys', user('u1'))).toMatchObject({ allowed: true, reason: 'allowlist', revision: 'other-1' });
    expect(await flags.decide('gastown', user('u2'))).toMatchObject({ allowed: false, reason: 'not-enabled' });
    expect(await flags.decide('convoys', user('u2'))).toMatchObject({ allowed: false, reason: 'parent' });
    expect(await flags.decide('convoys', admin())).toMatchObject({ allowed: true, reason: 'admin' });
    expect((await explain(flags, 'convoys', user('u1'))).bucket).toBe(null);
  });

  it('kills a sub-flag through its own kill-switch, and a grandchild through it', async () => {
    const nested = {
      flags: {
        root: { key: 'root', description: 'r', parent: null, killSwitch: true, bucketBy: 'user', feature: 'root', killSwitchFeature: 'root_kill_switch', owner: null, expires: null },
        child: { key: 'child', description: 'c', parent: 'root', killSwitch: true, bucketBy: 'user', feature: 'child', killSwitchFeature: 'child_kill_switch', owner: null, expires: null },
        leaf: { key: 'leaf', description: 'l', parent: 'child', killSwitch: false, bucketBy: 'org', feature: 'leaf', killSwitchFeature: null, owner: null, expires: null },
      },
    } as const satisfies Manifest<'root' | 'child' | 'leaf'>;
    const flags = createFlagstage({
      manifest: nested,
      source: staticSource(buildDocument(nested, { root: { stage: 'ga' }, child: { stage: 'ga', killed: true }, leaf: { stage: 'ga' } })),
    });
    expect(await flags.decide('root', user('u1'))).toMatchObject({ allowed: true, reason: 'ga', killed: false });
    expect(await flags.decide('child', user('u1'))).toMatchObject({ allowed: false, reason: 'killed', killed: true });
    expect(await flags.decide('leaf', user('u1'))).toMatchObject({ allowed: false, reason: 'parent', killed: true });
    expect((await explain(flags, 'leaf', user('u1'))).killedBy).toBe('child');
    expect(await flags.decide('leaf', admin())).toMatchObject({ allowed: true, reason: 'admin', killed: true });
  });

  it('refuses a manifest with a parent cycle or a missing parent', () => {
    const flag = (key: string, parent: string | null) => ({ key, description: key, parent, killSwitch: false, bucketBy: 'user' as const, feature: key, killSwitchFeature: null, owner: null, expires: null });
    const source = staticSource(null);
    expect(() => createFlagstage({ manifest: { flags: { a: flag('a', 'b'), b: flag('b', 'a') } }, source })).toThrow(/^flagstage: flag "a" has a parent cycle/);
    expect(() => createFlagstage({ manifest: { flags: { a: flag('a', 'ghost') } }, source })).toThrow(/^flagstage: flag "a" names parent "ghost"/);
  });

  it('refuses an invalid static document at startup', () => {
    expect(() => staticSource({ nonsense: true } as never)).toThrow(/^flagstage: staticSource got an invalid environment document/);
  });

  it('validates a flag\'s part of the document when the flag is first decided: a malformed one denies that flag (admins still in), reported once; unrelated garbage is ignored', async () => {
    const document = buildDocument(manifest, { gastown: { stage: 'ga' }, convoys: { stage: 'ga' } });
    const states = document.feature_states as unknown as Array<Record<string, unknown>>;
    // Broken where convoys reads it (its default) and in a segment no manifest flag uses.
    const convoys = states.find((state) => (state.feature as { name: string }).name === 'convoys')!;
    convoys.enabled = 'yes';
    (document.project.segments as unknown as unknown[]).push({ id: 999, name: 'dashboard_junk', rules: 'not rules', feature_states: [{ feature: null }] });
    const errors: Array<{ code: string; message: string }> = [];
    const flags = createFlagstage({ manifest, source: staticSource(document), logChanges: false, onError: (error) => errors.push(error) });
    expect(await flags.decide('gastown', user('u1'))).toMatchObject({ allowed: true, reason: 'ga' });
    expect(errors).toEqual([]);
    expect(await flags.decide('convoys', user('u1'))).toMatchObject({ allowed: false, reason: 'not-enabled' });
    expect(await flags.decide('convoys', user('u2'))).toMatchObject({ allowed: false, reason: 'not-enabled' });
    expect(await flags.decide('convoys', admin('a1'))).toMatchObject({ allowed: true, reason: 'admin' });
    expect(errors.map((error) => error.code)).toEqual(['invalid-document']);
    expect(errors[0]!.message).toMatch(/flag "convoys" is denied to everyone but admins.*enabled/);
  });
});
