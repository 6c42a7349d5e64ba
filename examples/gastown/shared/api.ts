/**
 * The worker API's resources, shared by the worker (which serves them) and the Next app (which
 * calls it on the user's behalf). Plain data: everything here crosses HTTP as JSON.
 */

export type MergeStrategy = 'direct' | 'pr';

export interface Rig {
  readonly id: string;
  readonly name: string;
}

/** A batch of beads slung onto a convoy (`gt_sling_batch`). */
export interface Convoy {
  readonly id: string;
  readonly beads: readonly string[];
}

/** A molecule instantiated from a formula. */
export interface Molecule {
  readonly id: string;
  readonly formula: string;
}

/** A container running agents for a town; it calls back while it works. */
export interface Container {
  readonly id: string;
  readonly townId: string;
  readonly ownerId: string;
  readonly dispatchedAt: string;
  readonly callbacks: number;
  readonly lastCallbackAt: string | null;
}

export interface Town {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly createdAt: string;
  readonly mergeStrategy: MergeStrategy;
  readonly rigs: readonly Rig[];
  readonly convoys: readonly Convoy[];
  readonly molecules: readonly Molecule[];
  readonly containers: readonly Container[];
}

/** What dispatching a container answers: the container, and the grant it will call back with. */
export interface Dispatch {
  readonly container: Container;
  /** A flagstage grant: lets the container's callbacks through even after a kill-switch. */
  readonly grant: string;
}

/** An agent's report from inside a running container. */
export interface AgentCallback {
  readonly containerId: string;
  readonly callbacks: number;
}

/** The header a container sends its grant in (flagstage/hono's default). */
export const GRANT_HEADER = 'X-Flagstage-Grant';

/** How the worker API refuses a request. `error` codes starting `flagstage.` come from the kit. */
export interface ApiError {
  readonly error: string;
  readonly flag?: string;
  readonly message?: string;
}
