import { createContext } from 'react';
import type { FlagSnapshot } from '../../runtime/policy/decision';

/** The snapshot in scope; null outside `<FlagstageProvider>`. */
export const SnapshotContext = createContext<FlagSnapshot | null>(null);
