// The guard's rule on its own: under-sampled windows never trip, the rate must be above the threshold.
import { describe, expect, it } from 'vitest';
import { judge, percent } from '../../control/guard/settings';

const guard = { errorRate: 0.02, minSamples: 200, windowMs: 600_000 };

describe('judge', () => {
  it('never trips below the minimum samples, whatever the rate', () => {
    expect(judge(guard, { samples: 199, errors: 199 }).trip).toBe(false);
    expect(judge(guard, { samples: 0, errors: 0 })).toEqual({ samples: 0, errors: 0, rate: 0, trip: false });
  });
  it('trips at the minimum when the rate is above the threshold, not at it', () => {
    expect(judge(guard, { samples: 200, errors: 10 })).toEqual({ samples: 200, errors: 10, rate: 0.05, trip: true });
    expect(judge(guard, { samples: 200, errors: 4 }).trip).toBe(false);
    expect(judge(guard, { samples: 200, errors: 5 }).trip).toBe(true);
    expect(judge(guard, { samples: 1000, errors: 10 }).trip).toBe(false);
  });
  it('says rates as people read them', () => {
    expect(percent(0.05)).toBe('5.0%');
    expect(percent(0.0025)).toBe('0.25%');
  });
});
