import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { runCodegen } from '../../codegen/index';
import { repoRoot, tempDir } from '../helpers/tmp';

// Deleting a flag from the manifest must break the build wherever the flag is used.
function compile(dir: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram([join(dir, 'use.ts')], { ...config.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? d.file.fileName.split('/').pop() : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('a flag removed from the manifest', () => {
  it('is a compile error at each use site', () => {
    const dir = tempDir('removed');
    const config = readFileSync(join(repoRoot, 'flags.config.ts'), 'utf8');
    writeFileSync(join(dir, 'flags.config.ts'), config);
    writeFileSync(
      join(dir, 'use.ts'),
      `import { requireMolecules, withFeature } from './flags.gen';
import type { FlagKey } from 'flagstage';
export const a = requireMolecules;
export const b = withFeature('molecules');
export const c: FlagKey = 'molecules';
`,
    );
    runCodegen({ cwd: dir });
    expect(compile(dir)).toEqual([]);

    writeFileSync(join(dir, 'flags.config.ts'), config.replace(/ {2}molecules: \{[^}]*\},\n/, ''));
    expect(runCodegen({ cwd: dir }).status).toBe('written');
    const errors = compile(dir);
    expect(errors).toEqual([
      expect.stringMatching(/use\.ts: Module '".\/flags.gen"' has no exported member 'requireMolecules'/),
      expect.stringMatching(/use\.ts: Argument of type '"molecules"' is not assignable/),
      expect.stringMatching(/use\.ts: Type '"molecules"' is not assignable to type/),
    ]);
  }, 120_000);
});
