import { expect, it } from 'vitest';
import { commaList } from '../../runtime/engine/operators';
import { idListSuite } from './id-list.shared';

// Inside workerd, where a warm list's ids are a prototype-free object's keys.
it('runs where navigator.userAgent names Cloudflare Workers (the lookup this file is for)', () => {
  expect(navigator.userAgent).toBe('Cloudflare-Workers');
});
idListSuite(commaList, 'object keys, in workerd');
