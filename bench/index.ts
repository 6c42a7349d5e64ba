// `npm run bench`: every benchmark, one table (figure, goal, reference in the same run, ratio).
// Each benchmark also runs on its own with more detail: npx tsx bench/<name>.ts.
import { allowlistRows } from './allowlist';
import { coldStartRows } from './cold-start';
import { controlRows } from './control';
import { engineRows } from './engine';
import { sizeRows } from './size';
import { printTable, type BenchRow } from './table';

const rows: BenchRow[] = [];
for (const [name, run] of [
  ['engine', engineRows],
  ['cold start', coldStartRows],
  ['allowlist', allowlistRows],
  ['bundle size', sizeRows],
  ['control plane', controlRows],
] as const) {
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await run()));
}
printTable(rows);
