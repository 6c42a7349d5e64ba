import { relative } from 'node:path';
import { PILOT_ORG, PILOT_USER, users } from '../shared/users';
import type { Demo } from './demo';
import { defaultConfig, repoRoot } from './paths';

/** What `npm start` prints once everything answers: where to go, who to be, what to try. */
export function banner(demo: Demo): string {
  const configPath = relative(repoRoot, demo.config);
  const configArg = demo.config === defaultConfig ? '' : ` --config ${configPath.startsWith('..') ? demo.config : configPath}`;
  const cli = (args: string) => `  npx flagstage ${args}${configArg}`;
  const featured = users.filter((user) => user.role.startsWith('crowd') === false);
  const crowd = users.length - featured.length;
  return `
Gastown is running: ${demo.appUrl}

Sign in at ${demo.appUrl}/login as any seeded user (no password):
${featured.map((user) => `  ${user.id.padEnd(4)} ${user.orgId ? `org ${user.orgId}`.padEnd(10) : 'no org'.padEnd(10)} ${user.role}`).join('\n')}
  ... and ${crowd} more, two per org, for percentages by org.

Roll Gastown out on the admin page (one-time sign-in link, as the owner):
  ${demo.adminSignIn}

or from another terminal at the repository root, through the control plane's API; every change
reaches the app and the worker at once (the control plane signs a webhook to both):
  export FLAGSTAGE_URL=${demo.controlUrl} FLAGSTAGE_TOKEN=${demo.controlToken}
${cli('status')}
${cli(`stage gastown allowlist --reason "pilot"`)}
${cli(`allow gastown --user ${PILOT_USER} --org ${PILOT_ORG} --reason "design partners"`)}
${cli('percent gastown 50 --by org --reason "half the orgs"')}
${cli('stage gastown percentage --reason "ramp"')}
${cli('kill gastown --reason "incident"')}
${cli('revive gastown --reason "fixed"')}
${cli('stage gastown ga --reason "launch"')}
${cli(`explain gastown --user cal --org ${PILOT_ORG}`)}
${cli('audit')}

Worker API:     ${demo.workerUrl}
Control plane:  ${demo.controlUrl} (flagstage serve; admin API ${demo.controlUrl}/v1/openapi.json)
Flag document:  ${demo.flagsApiUrl}environment-document/ (X-Environment-Key: ${demo.environmentKey})
Flag state:     ${demo.stateDir} (reset at every start; --keep-state keeps it)
Logs:           ${demo.logsDir}

Stop with Ctrl-C.
`;
}
