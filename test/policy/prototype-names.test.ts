import { describe, expect, it } from 'vitest';
import { readConfig } from '../../codegen/read-config';
import { ManifestError } from '../../codegen/errors';
import { FlagstageError } from '../../runtime/errors/flagstage-error';
import { buildDocument } from '../../runtime/testing/index';
import { createFlagstage } from '../../runtime/flagstage';
import { staticSource } from '../../runtime/sources/static';
import { manifest } from '../../flags.gen';
import { explain } from 'flagstage/explain';

const alice = { userId: 'alice', isAdmin: false };

describe('names that Object.prototype already has', () => {
  for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
    it(`decide/explain("${name}") is the unknown-flag error, with and without a document`, async () => {
      for (const source of [staticSource(buildDocument(manifest, {})), staticSource(null)]) {
        const flags = createFlagstage({ manifest, source, logChanges: false });
        const decide = flags.decide(name as never, alice);
        await expect(decide).rejects.toBeInstanceOf(FlagstageError);
        await expect(decide).rejects.toMatchObject({ code: 'unknown-flag', message: `flagstage: unknown flag "${name}"; it is not in the manifest` });
        await expect(explain(flags, name as never, alice)).rejects.toMatchObject({ code: 'unknown-flag' });
      }
    });
  }

  it('codegen refuses a manifest key __proto__ (a flag or an option) instead of dropping it', () => {
    const flag = `import { defineFlags } from 'flagstage';\nexport default defineFlags({\n  gastown: { description: 'g' },\n  __proto__: { description: 'vanishes' },\n});\n`;
    expect(() => readConfig('flags.config.ts', flag, 'flags.config.ts')).toThrow(ManifestError);
    expect(() => readConfig('flags.config.ts', flag, 'flags.config.ts')).toThrow(/flags\.config\.ts:4: flag "__proto__": cannot be a flag key/);
    const quoted = flag.replace('__proto__:', "'__proto__':");
    expect(() => readConfig('flags.config.ts', quoted, 'flags.config.ts')).toThrow(/cannot be a flag key/);
    const option = `import { defineFlags } from 'flagstage';\nexport default defineFlags({\n  gastown: { description: 'g', __proto__: { parent: 'x' } },\n});\n`;
    expect(() => readConfig('flags.config.ts', option, 'flags.config.ts')).toThrow(/`__proto__` cannot be a key/);
  });
});
