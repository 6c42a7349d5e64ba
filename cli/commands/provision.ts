import { prefixed } from '../../runtime/errors/flagstage-error';
import { parseArgs } from 'node:util';
import { BACKEND_HELP, BACKEND_OPTIONS, openContext } from '../context';
import { UsageError, type CliIO, type Command } from '../io';
import type { Manifest } from '../../runtime/manifest/types';

export const provisionCommand: Command = {
  name: 'provision',
  summary: "create the manifest's features, kill-switches and segments (idempotent)",
  help: `Usage: flagstage provision [options]

Creates what the manifest needs and the backend lacks, and changes nothing that exists:
  - a feature per flag (its Flagsmith feature name) and a <feature>_kill_switch feature per flag
    with a kill-switch, both disabled by default (admin-only, not killed)
  - the segment flagstage_admins (is_admin EQUAL true) overriding every flag to enabled, first
  - a segment flagstage_<feature>_allowlist per flag (empty), its override disabled
Percentage segments are created by the first \`flagstage percent\`. Run it again after adding a
flag to flags.config.ts. The local backend creates .flagstage/environment.json the same way on
first use; with the flagsmith backend, run it once before any other change.

Environment (flagsmith backend):
  FLAGSMITH_API_URL           the API (default https://api.flagsmith.com/api/v1/)
  FLAGSMITH_ADMIN_API_KEY     an organisation API key
  FLAGSMITH_PROJECT_ID        the project's numeric id
  FLAGSMITH_ENVIRONMENT_KEY   the environment's key

Options:
${BACKEND_HELP}
`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({ args, options: BACKEND_OPTIONS, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new UsageError(`unexpected "${positionals.join(' ')}"; provision takes no arguments`);
    const { manifest, backend } = await openContext(io, values);
    const report = await backend.provision();
    for (const { flag, feature } of recreatedKillSwitches(manifest, report.created)) {
      io.stderr(
        prefixed(`warning: the kill-switch feature "${feature}" of flag ${flag} was missing, so ${flag} counted as killed for everyone but admins; ` +
          `provision recreated it disabled (not killed). Run \`flagstage kill ${flag}\` if ${flag} should stay killed.`) + '\n',
      );
    }
    if (values.json) {
      io.stdout(`${JSON.stringify({ backend: backend.kind, location: backend.location, ...report }, null, 2)}\n`);
      return 0;
    }
    io.stdout(`${backend.kind}: ${backend.location}\n`);
    io.stdout(report.created.length === 0 ? `nothing to create: all ${report.existing.length} objects exist\n` : `${report.created.map((line) => `created ${line}`).join('\n')}\n${report.existing.length} already existed\n`);
    return 0;
  },
};

/**
 * Flags whose kill-switch feature provision just created although the flag's own feature existed:
 * the runtime counted them as killed, so recreating the kill-switch (disabled) reopens them and the
 * operator must hear of it. A flag created whole (a new flag, a first provision) is not one.
 */
function recreatedKillSwitches(manifest: Manifest, created: readonly string[]): { flag: string; feature: string }[] {
  const made = new Set(created);
  return Object.values(manifest.flags)
    .filter((definition) => definition.killSwitchFeature !== null && made.has(`feature ${definition.killSwitchFeature}`) && !made.has(`feature ${definition.feature}`))
    .map((definition) => ({ flag: definition.key, feature: definition.killSwitchFeature as string }));
}
