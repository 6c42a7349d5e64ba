import type { AgentCallback, Container, MergeStrategy, Town } from '../shared/api';

/**
 * The demo's storage: plain maps in the isolate. The demo runs one workerd isolate and starts fresh
 * on every `npm start`, so nothing needs to survive a restart; Gastown would use D1 or a Durable
 * Object here. Flag checks live in the routes, never in the store.
 */
export class Store {
  private readonly towns = new Map<string, Town>();
  private readonly containers = new Map<string, Container>();
  private sequence = 0;

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${this.sequence}`;
  }

  townsOf(ownerId: string): Town[] {
    return [...this.towns.values()].filter((town) => town.ownerId === ownerId).map((town) => this.withContainers(town));
  }

  /** The town if the user owns it; null otherwise (a stranger's town looks like a missing one). */
  town(id: string, ownerId: string): Town | null {
    const town = this.towns.get(id);
    return town !== undefined && town.ownerId === ownerId ? this.withContainers(town) : null;
  }

  createTown(name: string, ownerId: string): Town {
    const town: Town = {
      id: this.nextId('town-'),
      name,
      ownerId,
      createdAt: new Date().toISOString(),
      mergeStrategy: 'direct',
      rigs: [],
      convoys: [],
      molecules: [],
      containers: [],
    };
    this.towns.set(town.id, town);
    return town;
  }

  addRig(town: Town, name: string): Town {
    return this.update(town, { rigs: [...town.rigs, { id: this.nextId('rig-'), name }] });
  }

  setMergeStrategy(town: Town, mergeStrategy: MergeStrategy): Town {
    return this.update(town, { mergeStrategy });
  }

  slingBatch(town: Town, beads: readonly string[]): Town {
    return this.update(town, { convoys: [...town.convoys, { id: this.nextId('convoy-'), beads: [...beads] }] });
  }

  createMolecule(town: Town, formula: string): Town {
    return this.update(town, { molecules: [...town.molecules, { id: this.nextId('mol-'), formula }] });
  }

  dispatchContainer(town: Town): Container {
    const container: Container = {
      id: this.nextId('container-'),
      townId: town.id,
      ownerId: town.ownerId,
      dispatchedAt: new Date().toISOString(),
      callbacks: 0,
      lastCallbackAt: null,
    };
    this.containers.set(container.id, container);
    return container;
  }

  container(id: string): Container | null {
    return this.containers.get(id) ?? null;
  }

  recordCallback(container: Container): AgentCallback {
    const updated: Container = { ...container, callbacks: container.callbacks + 1, lastCallbackAt: new Date().toISOString() };
    this.containers.set(updated.id, updated);
    return { containerId: updated.id, callbacks: updated.callbacks };
  }

  private update(town: Town, change: Partial<Town>): Town {
    const updated: Town = { ...town, ...change };
    this.towns.set(updated.id, updated);
    return this.withContainers(updated);
  }

  private withContainers(town: Town): Town {
    return { ...town, containers: [...this.containers.values()].filter((container) => container.townId === town.id) };
  }
}
