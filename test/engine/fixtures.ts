/// <reference types="vite/client" />
import JSON5 from 'json5';
import type { EnvironmentDocument, EvaluationContext, EvaluationResult } from 'flagstage/engine';

// Fixtures are bundled with import.meta.glob so that the same tests run in Node and in workerd,
// where there is no file system.
const caseTexts = import.meta.glob('../fixtures/flagsmith/engine-test-data/test_cases/*.{json,jsonc}', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>;

const documentTexts = import.meta.glob('../fixtures/flagsmith/sdk-test-data/*environment.json', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>;

export interface ConformanceCase {
  name: string;
  context: EvaluationContext;
  result: EvaluationResult;
}

/** The 199 cross-SDK engine cases (some open with a JSON5 comment describing the case). */
export const conformanceCases: ConformanceCase[] = Object.entries(caseTexts)
  .map(([path, text]) => {
    const parsed = JSON5.parse(text) as { context: EvaluationContext; result: EvaluationResult };
    return { name: path.slice(path.lastIndexOf('/') + 1), context: parsed.context, result: parsed.result };
  })
  .sort((a, b) => (a.name < b.name ? -1 : 1));

/** The environment documents from flagsmith-nodejs's SDK tests, by file name. */
export const sdkDocuments: Record<string, EnvironmentDocument> = Object.fromEntries(
  Object.entries(documentTexts).map(([path, text]) => [path.slice(path.lastIndexOf('/') + 1), JSON.parse(text) as EnvironmentDocument]),
);
