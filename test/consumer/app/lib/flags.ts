// The app's one runtime, over a fixed document (a real app uses flagsmithSource or fileSource).
import { createFlagstage, staticSource, type Identity } from 'flagstage';
import type { EnvironmentDocument } from 'flagstage/engine';
import { manifest } from '../flags.gen';

const feature = (id: number, name: string, enabled: boolean) => ({ feature: { id, name, type: 'STANDARD' }, enabled });

/** Reports is GA, its CSV export is off (admins only), nothing is killed. */
export const document: EnvironmentDocument = {
  api_key: 'consumer-env',
  updated_at: '2026-01-01T00:00:00.000000+00:00',
  feature_states: [feature(1, 'reports', true), feature(2, 'reports_kill_switch', false), feature(3, 'export_csv', false)],
  project: { segments: [] },
};

export const flags = createFlagstage({ manifest, source: staticSource(document) });

/** The app's own authenticated session: here a fixed user, to keep the fixture small. */
export function currentIdentity(userId: string | undefined): Identity | null {
  return userId ? { userId, isAdmin: userId === 'admin' } : null;
}
