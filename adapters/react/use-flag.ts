import { useContext } from 'react';
import { FlagstageError } from 'flagstage';
import type { FlagKey } from '../../runtime/manifest/index';
import { SnapshotContext } from './context';

/**
 * Whether a flag is on for the current identity, from the snapshot of `<FlagstageProvider>`. A key
 * the snapshot lacks is off. An unknown key is a compile error.
 *
 * @example
 * ```tsx
 * function MergeStrategy() {
 *   const prMerge = useFlag('prMerge');
 *   return <select>{prMerge && <option value="pr">Pull request</option>}<option value="direct">Direct</option></select>;
 * }
 * ```
 */
export function useFlag(flag: FlagKey): boolean {
  const snapshot = useContext(SnapshotContext);
  if (snapshot === null) throw new FlagstageError('missing-setup', 'useFlag() and <Feature> need a <FlagstageProvider snapshot> above them');
  return (snapshot.flags as Readonly<Record<string, boolean | undefined>>)[flag] === true;
}
