// Generates a 200-flag manifest and times `flagstage codegen` on it (read, validate, emit, write).
// Run: npx tsx bench/codegen.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCodegen } from '../codegen/index';

const FLAGS = 200;
const lines = ["import { defineFlags } from 'flagstage';", '', 'export default defineFlags({'];
for (let i = 0; i < FLAGS; i++) {
  const parent = i % 5 === 0 ? '' : ` parent: 'flag${i - (i % 5)}',`;
  lines.push(`  flag${i}: { description: 'Flag number ${i}',${parent} owner: 'team-${i % 7}' },`);
}
lines.push('});', '');

const dir = mkdtempSync(join(tmpdir(), 'flagstage-bench-'));
writeFileSync(join(dir, 'flags.config.ts'), lines.join('\n'));
try {
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    rmSync(join(dir, 'flags.gen.ts'), { force: true });
    const start = performance.now();
    const result = runCodegen({ cwd: dir });
    runs.push(performance.now() - start);
    if (result.status !== 'written') throw new Error(`unexpected ${result.status}`);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  console.log(`codegen, ${FLAGS} flags: first run ${runs[0]!.toFixed(0)} ms (cold ts-morph), median ${sorted[2]!.toFixed(0)} ms, runs ${runs.map((r) => r.toFixed(0)).join(' ')} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
