import base from '../fixtures/flagsmith/sdk-test-data/environment.json';

/**
 * Real environment documents for source tests: Flagsmith's own SDK test document (its features,
 * segments and identity overrides kept) with Gastown's flags added the way the CLI writes them.
 * Workerd-safe: no Node built-in.
 */

export type GastownStage = 'admin-only' | 'allowlist' | 'percentage' | 'ga';

export interface GastownState {
  /** The revision (`updated_at`). */
  readonly revision: string;
  readonly stage?: GastownStage;
  readonly killed?: boolean;
  readonly allowUsers?: readonly string[];
  readonly percent?: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Doc = { [key: string]: Json };

const FEATURES = [
  ['gastown', 101],
  ['gastown_kill_switch', 102],
  ['convoys', 103],
  ['pr_merge', 104],
  ['multi_rig', 105],
  ['molecules', 106],
] as const;
const id = (name: string): number => FEATURES.find(([feature]) => feature === name)?.[1] ?? 0;

function state(name: string, enabled: boolean, priority: number | null = null): Doc {
  return {
    feature: { id: id(name), name, type: 'STANDARD' },
    enabled,
    feature_state_value: null,
    django_id: id(name) * 10 + (priority ?? 9),
    featurestate_uuid: `00000000-0000-4000-8000-${String(id(name) * 10 + (priority ?? 9)).padStart(12, '0')}`,
    feature_segment: priority === null ? null : { priority },
    multivariate_feature_state_values: [],
  };
}

/** The Gastown document for a state of the `gastown` flag (sub-flags stay admin-only). */
export function gastownDocument(s: GastownState): Doc {
  const stage = s.stage ?? 'admin-only';
  const rank = { 'admin-only': 0, allowlist: 1, percentage: 2, ga: 3 }[stage];
  const doc = structuredClone(base) as unknown as Doc;
  const project = doc.project as Doc;
  const users = s.allowUsers ?? [];
  project.segments = [
    ...(project.segments as Json[]),
    {
      id: 201,
      name: 'flagstage_admins',
      rules: [{ type: 'ALL', rules: [], conditions: [{ property_: 'is_admin', operator: 'EQUAL', value: 'true' }] }],
      feature_states: FEATURES.filter(([name]) => !name.endsWith('_kill_switch')).map(([name]) => state(name, true, 0)),
    },
    {
      id: 202,
      name: 'flagstage_gastown_allowlist',
      rules: [{ type: 'ANY', rules: [], conditions: [{ property_: 'user_id', operator: 'IN', value: users.join(',') }] }],
      feature_states: [state('gastown', rank >= 1, 1)],
    },
    ...(s.percent === undefined
      ? []
      : [
          {
            id: 203,
            name: 'flagstage_gastown_percentage',
            rules: [{ type: 'ALL', rules: [], conditions: [{ property_: '', operator: 'PERCENTAGE_SPLIT', value: String(s.percent) }] }],
            feature_states: [state('gastown', rank >= 2, 2)],
          },
        ]),
  ];
  doc.feature_states = [
    ...(doc.feature_states as Json[]),
    state('gastown', rank >= 3),
    state('gastown_kill_switch', s.killed ?? false),
    ...['convoys', 'pr_merge', 'multi_rig', 'molecules'].map((name) => state(name, false)),
  ];
  doc.updated_at = s.revision;
  return doc;
}

/** Flagsmith's SDK test document as served, with a revision. */
export function sdkDocument(revision: string): Doc {
  return { ...(structuredClone(base) as unknown as Doc), updated_at: revision };
}

/** A revision `seconds` after a fixed start, in Flagsmith's microsecond format. */
export function revisionAt(seconds: number): string {
  return new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString().replace('Z', '123Z');
}
