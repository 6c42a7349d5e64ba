// Generates a 200-flag manifest and times `flagstage codegen` on it (read, validate, emit, write).
// Run: npx tsx bench/codegen.ts   (part of `npm run bench`)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCodegen } from '../codegen/index';
import { isMain, ms, type BenchRow } from './table';

const FLAGS = 200;

/** Codegen runs on a fresh 200-flag manifest: the first pays for loading the TypeScript compiler. */
async function runs(): Promise<number[]> {
  const lines = ["import { defineFlags } from 'flagstage';", '', 'export default defineFlags({'];
  for (let i = 0; i < FLAGS; i++) {
    const parent = i % 5 === 0 ? '' : ` parent: 'flag${i - (i % 5)}',`;
    lines.push(`  flag${i}: { description: 'Flag number ${i}',${parent} owner: 'team-${i % 7}' },`);
  }
  lines.push('});', '');
  const dir = mkdtempSync(join(tmpdir(), 'flagstage-bench-'));
  writeFileSync(join(dir, 'flags.config.ts'), lines.join('\n'));
  try {
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      rmSync(join(dir, 'flags.gen.ts'), { force: true });
      const start = performance.now();
      const result = runCodegen({ cwd: dir });
      times.push(performance.now() - start);
      if (result.status !== 'written') throw new Error(`unexpected ${result.status}`);
    }
    return times;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The codegen's row of `npm run bench`: a warm run on 200 flags, beside the first (cold) one. */
export async function codegenRows(): Promise<BenchRow[]> {
  const times = await runs();
  const warm = [...times.slice(1)].sort((a, b) => a - b)[Math.floor((times.length - 1) / 2)]!;
  return [
    {
      figure: `codegen: ${FLAGS}-flag manifest, read + validate + emit + write (warm run)`,
      value: ms(warm),
      goal: '',
      reference: `first run (loads ts-morph): ${ms(times[0]!)}`,
      ratio: `${(times[0]! / warm).toFixed(1)}x`,
    },
  ];
}

if (isMain(import.meta.url)) {
  const times = await runs();
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`codegen, ${FLAGS} flags: first run ${times[0]!.toFixed(0)} ms (cold ts-morph), median ${sorted[2]!.toFixed(0)} ms, runs ${times.map((r) => r.toFixed(0)).join(' ')} ms`);
}
