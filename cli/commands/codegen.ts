import { parseArgs } from 'node:util';
import { prefixed } from '../../runtime/errors/flagstage-error';
import { UsageError, type CliIO, type Command } from '../io';

export const codegenCommand: Command = {
  name: 'codegen',
  summary: 'write flags.gen.ts from flags.config.ts; --check fails when it is stale',
  help: `Usage: flagstage codegen [--config PATH] [--out PATH] [--check]

Reads the manifest statically (it is never executed), validates it and writes the typed
gate helpers: FlagKey, manifest, one requireX gate per flag and withFeature(key).

Options:
  --config PATH   the manifest (default: flags.config.ts)
  --out PATH      the generated file (default: flags.gen.ts beside the manifest)
  --check         write nothing; exit 1 with what changed when the generated file is stale or missing
                  (run it in CI)
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values } = parseArgs({
      args,
      options: { config: { type: 'string' }, out: { type: 'string' }, check: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
    });
    // Imported here: the codegen needs the TypeScript compiler, which other commands do without.
    const { describeDiff, ManifestError, runCodegen } = await import('../../codegen/index');
    try {
      const result = runCodegen({ config: values.config, out: values.out, cwd: io.cwd }, { check: values.check });
      const count = Object.keys(result.manifest.flags).length;
      // The command to regenerate: the same paths as this run.
      const rerun = ['npx flagstage codegen', ...(values.config === undefined ? [] : ['--config', values.config]), ...(values.out === undefined ? [] : ['--out', values.out])].join(' ');
      switch (result.status) {
        case 'unchanged':
          io.stdout(`${result.out} is up to date (${count} flags)\n`);
          return 0;
        case 'written':
          io.stdout(`wrote ${result.out} (${count} flags)\n`);
          return 0;
        case 'missing':
          io.stderr(`${prefixed(`${result.out} is missing; run \`${rerun}\` and commit it`)}\n`);
          return 1;
        case 'stale':
          io.stderr(`${prefixed(`${result.out} is stale (${result.diff ? describeDiff(result.diff) : 'cannot be read'}); run \`${rerun}\` and commit it`)}\n`);
          return 1;
      }
    } catch (error) {
      if (error instanceof ManifestError) throw new UsageError(error.problem, { cause: error });
      throw error;
    }
  },
};
