import { vi } from 'vitest';
import { commaList } from '../../runtime/engine/operators';
import { idListSuite } from './id-list.shared';

// Node: a warm list is a Set.
idListSuite(commaList, 'Set');

// workerd's lookup, a prototype-free object's keys, chosen by navigator.userAgent when the module
// loads: the same module loaded again as workerd would see it (id-list.workerd.test.ts runs it there).
vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' });
vi.resetModules();
const workerd = await import('../../runtime/engine/operators');
vi.unstubAllGlobals();
idListSuite(workerd.commaList, 'object keys, as in workerd');
