import type { ReactNode } from 'react';
import type { FlagSnapshot } from '../../runtime/policy/decision';
import { SnapshotContext } from './context';

export interface FlagstageProviderProps {
  /** The identity's snapshot, computed on the server (`getSnapshot` in `flagstage/next`, `c.var.flagstage.snapshot()` in Hono). */
  readonly snapshot: FlagSnapshot;
  readonly children?: ReactNode;
}

/**
 * Makes the server's snapshot available to `useFlag` and `<Feature>`. The server renders with it and
 * the client hydrates from the same props, so the first paint is already right (no flicker) and the
 * browser never asks anyone for flags.
 *
 * @example
 * ```tsx
 * // app/layout.tsx (a server component)
 * const snapshot = await getSnapshot(identity);
 * return <FlagstageProvider snapshot={snapshot}><Sidebar />{children}</FlagstageProvider>;
 * ```
 */
export function FlagstageProvider({ snapshot, children }: FlagstageProviderProps): ReactNode {
  return <SnapshotContext.Provider value={snapshot}>{children}</SnapshotContext.Provider>;
}
