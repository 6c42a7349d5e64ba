import type { ReactNode } from 'react';
import type { FlagKey } from '../../runtime/manifest/index';
import { useFlag } from './use-flag';

export interface FeatureProps {
  /** The flag that must be on. An unknown key is a compile error. */
  readonly flag: FlagKey;
  /** Rendered instead when the flag is off. Default: nothing. */
  readonly fallback?: ReactNode;
  readonly children?: ReactNode;
}

/**
 * Renders its children only when the flag is on for the current identity: nav items, buttons,
 * options. Hiding is cosmetic; the server gates (`requireFlag`) are what enforce.
 *
 * @example
 * ```tsx
 * <nav>
 *   <Feature flag="gastown"><a href="/gastown">Gastown</a></Feature>
 *   <Feature flag="convoys" fallback={<span>Convoys (soon)</span>}><a href="/gastown/convoys">Convoys</a></Feature>
 * </nav>
 * ```
 */
export function Feature({ flag, fallback = null, children }: FeatureProps): ReactNode {
  return useFlag(flag) ? children : fallback;
}
