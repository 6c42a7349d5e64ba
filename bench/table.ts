// The one table `npm run bench` prints: every benchmark returns rows, each a measured figure with its
// goal, the reference it is measured against in the same run, and the ratio between the two.
import { pathToFileURL } from 'node:url';

export interface BenchRow {
  /** What was measured, e.g. "engine: µs per identity (staged document)". */
  readonly figure: string;
  /** The measured value with its unit. */
  readonly value: string;
  /** The goal, e.g. "<= 1.0 µs", or '' when the row is context for another. */
  readonly goal: string;
  /** What the value is compared with in the same run, with its value, or ''. */
  readonly reference: string;
  /** value / reference (or reference / value: the row says which), or ''. */
  readonly ratio: string;
  /** Whether the goal is met; undefined for context rows. */
  readonly met?: boolean;
}

/** Which Node (and V8) the figures come from: V8's tiers and builtins change between Node lines. */
export const nodeLine = (): string => `Node ${process.version} (V8 ${process.versions.v8})`;

export function printTable(rows: readonly BenchRow[]): void {
  console.log(`Run on ${nodeLine()}`);
  const header: BenchRow = { figure: 'figure', value: 'value', goal: 'goal', reference: 'reference (same run)', ratio: 'ratio' };
  const cells = (row: BenchRow) => [row.figure, row.value, row.goal + (row.met === undefined ? '' : row.met ? ' (met)' : ' (NOT met)'), row.reference, row.ratio];
  const all = [header, ...rows].map(cells);
  const widths = all[0]!.map((_, column) => Math.max(...all.map((line) => line[column]!.length)));
  const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(line(all[0]!));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const values of all.slice(1)) console.log(line(values));
}

/** True when the module at `url` is the script node was started with (run on its own). */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === url;
}

/** Median and best of samples. */
export function stats(samples: readonly number[]): { median: number; best: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, best: sorted[0]! };
}

export const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
export const us = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} µs`;
