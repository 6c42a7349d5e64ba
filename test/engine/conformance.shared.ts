import { describe, expect, it } from 'vitest';
import { getEvaluationResult } from 'flagstage/engine';
import { conformanceCases } from './fixtures';

/** Every engine-test-data case through getEvaluationResult, comparing the whole result. */
export function conformanceSuite(): void {
  describe('Flagsmith engine conformance (engine-test-data v3.9.0)', () => {
    it('has all 199 cases', () => {
      expect(conformanceCases).toHaveLength(199);
    });

    it.each(conformanceCases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
      const result = getEvaluationResult(structuredClone(testCase.context));
      expect(result).toStrictEqual(testCase.result);
    });
  });
}
