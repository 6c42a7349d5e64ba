// `npm run bench`: every benchmark, one table (figure, goal, reference in the same run, ratio).
// Each benchmark also runs on its own with more detail: npx tsx bench/<name>.ts.
// The table's first line names the Node it ran on. Another Node, no change needed: put its bin first
// on PATH (npm, the build and the benches then all run on it), e.g.
//   PATH=/opt/node-v24/bin:$PATH npm run bench
import { allowlistRows } from './allowlist';
import { codegenRows } from './codegen';
import { coldStartRows } from './cold-start';
import { controlRows } from './control';
import { engineRows } from './engine';
import { gateOverheadRows } from './gate-overhead';
import { policyRows } from './policy';
import { propagationRows } from './propagation';
import { sizeRows } from './size';
import { printTable, type BenchRow } from './table';

const rows: BenchRow[] = [];
for (const [name, run] of [
  ['engine', engineRows],
  ['policy', policyRows],
  ['cold start', coldStartRows],
  ['allowlist', allowlistRows],
  ['bundle size', sizeRows],
  ['control plane', controlRows],
  ['gate overhead in a Worker', gateOverheadRows],
  ['kill propagation', propagationRows],
  ['codegen', codegenRows],
] as const) {
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await run()));
}
printTable(rows);
