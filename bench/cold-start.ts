// A cold isolate's first decision: `createFlagstage` + the first `decide` on a freshly parsed
// document (Gastown's flags with a 5,000-user allowlist, 1,000 unrelated features, 200 unrelated
// segments), against compiling that whole document (what every cold isolate paid before flags were
// compiled lazily), in the same run. Then how the cost grows with unrelated features.
// Run: node --expose-gc --import tsx bench/cold-start.ts   (part of `npm run bench`)
//
// JSON.parse is not counted (the source hands the runtime a parsed document either way; its cost is
// printed). Each sample parses its own document and starts after a GC when --expose-gc is given, so
// samples do not pay for each other's garbage. Code is warm (JIT) after the first sample.
// What still grows with the document after JSON.parse: the scans that find the manifest's features
// and segments (readLayouts, environmentToContext(document, feature): linear, no compiling or validating of unrelated parts),
// and V8's garbage collection of the freshly parsed document (all of it young and live, so the first
// collections during the decision copy it): the gap between the median and the best sample.
import { compileEnvironment } from '../runtime/engine/index';
import { createFlagstage, staticSource } from '../runtime/index';
import { gastownDocument, manifest } from './documents';
import { isMain, ms, printTable, stats, type BenchRow } from './table';

const SAMPLES = Number(process.env.COLD_BENCH_SAMPLES ?? 15);
const identity = { userId: 'user-8', orgId: 'org-9', isAdmin: false };
const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

async function sample(text: string, whole: boolean): Promise<number> {
  const document = JSON.parse(text);
  collect();
  const start = performance.now();
  if (whole) compileEnvironment(document);
  const flags = createFlagstage({ manifest, source: staticSource(document), logChanges: false });
  const decision = await flags.decide('gastown', identity);
  const elapsed = performance.now() - start;
  if (decision.reason !== 'not-enabled') throw new Error(`cold-start bench: unexpected decision ${decision.reason}`);
  return elapsed;
}

async function measure(text: string, whole: boolean): Promise<{ median: number; best: number }> {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) samples.push(await sample(text, whole));
  return stats(samples);
}

export async function coldStartRows(): Promise<BenchRow[]> {
  const text = JSON.stringify(gastownDocument(5_000, 1_000, 200));
  const parse = stats(Array.from({ length: 5 }, () => {
    const start = performance.now();
    JSON.parse(text);
    return performance.now() - start;
  }));
  // Interleaved, so machine noise hits both alike.
  const lazy: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    lazy.push(await sample(text, false));
    whole.push(await sample(text, true));
  }
  const ours = stats(lazy);
  const all = stats(whole);
  const rows: BenchRow[] = [
    {
      figure: `cold start: createFlagstage + first decide (${(text.length / 1024).toFixed(0)} KB document)`,
      value: `${ms(ours.median)} (best ${ms(ours.best)})`,
      goal: '<= 2 ms',
      reference: `whole document compiled first: ${ms(all.median)}`,
      ratio: `${(all.median / ours.median).toFixed(1)}x less`,
      met: ours.median <= 2,
    },
    { figure: 'cold start: JSON.parse of that document (not counted)', value: ms(parse.median), goal: '', reference: '', ratio: '' },
  ];
  for (const features of [100, 1_000, 10_000]) {
    const grown = JSON.stringify(gastownDocument(5_000, features, 200));
    const cost = await measure(grown, false);
    const full = await measure(grown, true);
    rows.push({
      figure: `cold start with ${features.toLocaleString('en')} unrelated features (${(grown.length / 1024).toFixed(0)} KB; median includes GC of the parsed document)`,
      value: `${ms(cost.median)} (best ${ms(cost.best)})`,
      goal: '',
      reference: `whole document: ${ms(full.median)}`,
      ratio: `${(full.median / cost.median).toFixed(1)}x less`,
    });
  }
  return rows;
}

if (isMain(import.meta.url)) printTable(await coldStartRows());
