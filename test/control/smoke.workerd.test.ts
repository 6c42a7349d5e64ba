import { describe, expect, it } from 'vitest';
import { api, env } from './support';

describe('control plane smoke', () => {
  it('serves status', async () => {
    const answer = await api('GET', env('production', '/status'));
    expect(answer.status).toBe(200);
    expect(answer.body.revision).toBe(1);
  });
});
