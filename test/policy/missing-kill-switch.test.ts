import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifest } from '../../flags.gen';
import type { FlagStatus } from '../../cli/commands/status';
import type { EnvironmentDocument } from '../../runtime/engine/index';
import { createFlagstage } from '../../runtime/flagstage';
import type { FlagstageError } from '../../runtime/errors/index';
import type { DocumentSource, LoadedDocument } from '../../runtime/sources/source';
import { staticSource } from '../../runtime/sources/static';
import { cli } from '../helpers/cli';
import { buildDocument } from '../../runtime/testing/index';
import { ACTOR, cliJson, localDocument, project } from '../cli/support';
import { explain } from 'flagstage/explain';

/** The document with the `gastown_kill_switch` feature deleted, as the Flagsmith dashboard would. */
function withoutKillSwitch(document: EnvironmentDocument): EnvironmentDocument {
  return { ...document, feature_states: document.feature_states.filter((state) => state.feature.name !== 'gastown_kill_switch') };
}

const alice = { userId: 'alice', isAdmin: false };
const root = { userId: 'root', isAdmin: true };

/** A source whose document the test swaps, as a refresh would. */
function swappable(first: EnvironmentDocument) {
  let loaded: LoadedDocument | null = null;
  const load = async (document: EnvironmentDocument) => {
    loaded = await staticSource(document).current();
  };
  const source: DocumentSource = { current: async () => loaded };
  return { source, load, ready: load(first) };
}

describe('a document lacking a manifest flag’s kill-switch feature', () => {
  it('counts the flag as killed for non-admins (admins still in), explains why and reports it once per revision', async () => {
    const errors: FlagstageError[] = [];
    const killedDoc = buildDocument(manifest, { gastown: { stage: 'ga', killed: true } });
    const swap = swappable(killedDoc);
    await swap.ready;
    const flags = createFlagstage({ manifest, source: swap.source, logChanges: false, onError: (error) => errors.push(error) });
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'killed' });

    // A newer revision with the kill-switch feature gone must not reopen the killed flag.
    await swap.load(withoutKillSwitch(buildDocument(manifest, { gastown: { stage: 'ga' } })));
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: false, reason: 'killed', killed: true, stage: 'ga' });
    expect(await flags.decide('convoys', alice)).toMatchObject({ allowed: false, reason: 'parent' });
    expect(await flags.decide('gastown', root)).toMatchObject({ allowed: true, reason: 'admin' });
    expect((await flags.snapshot(alice)).flags.gastown).toBe(false);

    const explanation = await explain(flags, 'gastown', alice);
    expect(explanation.steps.at(-1)).toMatchObject({ rule: 'kill-switch', outcome: 'deny' });
    expect(explanation.steps.at(-1)?.detail).toMatch(/kill-switch feature is missing/);
    expect(explanation.rollout).toMatchObject({ killed: true, killSwitchMissing: true });

    await flags.decide('gastown', { userId: 'bob', isAdmin: false });
    expect(errors.map((error) => error.code)).toEqual(['missing-kill-switch']);
    expect(errors[0]?.message).toContain('"gastown"');
    expect(errors[0]?.message).toContain('"gastown_kill_switch"');
  });

  it('a document with the feature present and off is not killed (the rule reads only what is missing)', async () => {
    const errors: FlagstageError[] = [];
    const flags = createFlagstage({ manifest, source: staticSource(buildDocument(manifest, { gastown: { stage: 'ga' } })), logChanges: false, onError: (error) => errors.push(error) });
    expect(await flags.decide('gastown', alice)).toMatchObject({ allowed: true, reason: 'ga', killed: false });
    expect((await explain(flags, 'gastown', alice)).rollout).not.toHaveProperty('killSwitchMissing');
    expect(errors).toEqual([]);
  });

  it('flagstage status flags it (table, JSON, a warning on stderr) and provision says it recreated it', async () => {
    const dir = project('missing-kill-switch');
    await cliJson(dir, ['stage', 'gastown', 'ga', ...ACTOR]);
    const file = join(dir, '.flagstage/environment.json');
    writeFileSync(file, JSON.stringify(withoutKillSwitch(localDocument(dir))));

    const table = await cli(dir, ['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/gastown\s+-\s+ga\s+KILLED \(gastown_kill_switch missing\)/);
    expect(table.stderr).toMatch(/kill-switch feature "gastown_kill_switch" of flag gastown is missing, so gastown counts as killed/);
    const json = await cliJson<{ flags: FlagStatus[] }>(dir, ['status']);
    expect(json.flags.find((row) => row.flag === 'gastown')).toMatchObject({ killed: true, killedBy: 'gastown', killSwitchMissing: 'gastown_kill_switch' });
    expect(json.flags.find((row) => row.flag === 'convoys')).toMatchObject({ killedBy: 'gastown' });
    expect(json.flags.find((row) => row.flag === 'convoys')).not.toHaveProperty('killSwitchMissing');

    const provision = await cli(dir, ['provision']);
    expect(provision.code).toBe(0);
    expect(provision.stdout).toContain('created feature gastown_kill_switch');
    expect(provision.stderr).toMatch(/"gastown_kill_switch" of flag gastown was missing.*flagstage kill gastown/);
    const after = await cli(dir, ['status']);
    expect(after.stderr).toBe('');
    expect(after.stdout).toMatch(/gastown\s+-\s+ga\s+no/);
  });
});
