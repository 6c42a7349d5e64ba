'use client';
import { Feature, useFlag } from 'flagstage/react';
import { useState } from 'react';
import type { MergeStrategy, Town } from '../shared/api';
import { trpc } from '../lib/trpc/client';
import { useMutation } from './use-mutation';

/** A town: its rigs, merge strategy, convoys, molecules and containers, each behind its flag. */
export function TownView({ town }: { town: Town }) {
  return (
    <>
      <h1 data-testid="town-name">{town.name}</h1>
      <Rigs town={town} />
      <MergeStrategyForm town={town} />
      <Feature flag="convoys">
        <SlingBatch town={town} />
      </Feature>
      <Feature flag="molecules">
        <Molecules town={town} />
      </Feature>
      <Containers town={town} />
    </>
  );
}

function Rigs({ town }: { town: Town }) {
  const multiRig = useFlag('multiRig');
  const [name, setName] = useState('');
  const addRig = useMutation((rig: string) => trpc.addRig.mutate({ townId: town.id, name: rig }));
  const canAdd = town.rigs.length === 0 || multiRig;
  return (
    <div className="card">
      <h2>Rigs</h2>
      <ul data-testid="rigs">
        {town.rigs.map((rig) => (
          <li key={rig.id}>{rig.name}</li>
        ))}
      </ul>
      {canAdd ? (
        <form className="inline" onSubmit={(event) => { event.preventDefault(); addRig.run(name); }}>
          <input placeholder="Rig name" value={name} onChange={(event) => setName(event.target.value)} required data-testid="rig-name" />
          <button type="submit" disabled={addRig.pending} data-testid="add-rig">
            Add rig
          </button>
        </form>
      ) : (
        <p className="muted">More than one rig per town is not available to you yet.</p>
      )}
      {addRig.error !== null && <p className="error">{addRig.error}</p>}
    </div>
  );
}

function MergeStrategyForm({ town }: { town: Town }) {
  // `direct` is everyone's; the `pr` option exists only where prMerge is on.
  const prMerge = useFlag('prMerge');
  const save = useMutation((strategy: MergeStrategy) => trpc.setMergeStrategy.mutate({ townId: town.id, strategy }));
  return (
    <div className="card">
      <h2>Merge strategy</h2>
      <select
        value={town.mergeStrategy}
        onChange={(event) => save.run(event.target.value === 'pr' ? 'pr' : 'direct')}
        disabled={save.pending}
        data-testid="merge-strategy"
      >
        <option value="direct">direct: merge to main</option>
        {prMerge && <option value="pr">pr: open a pull request</option>}
      </select>
      {save.error !== null && <p className="error">{save.error}</p>}
    </div>
  );
}

function SlingBatch({ town }: { town: Town }) {
  const [beads, setBeads] = useState('');
  const sling = useMutation((list: string[]) => trpc.slingBatch.mutate({ townId: town.id, beads: list }));
  const list = beads.split(',').map((bead) => bead.trim()).filter(Boolean);
  return (
    <div className="card" data-testid="convoy-panel">
      <h2>Convoys</h2>
      <ul>
        {town.convoys.map((convoy) => (
          <li key={convoy.id}>{convoy.beads.join(', ')}</li>
        ))}
      </ul>
      <form className="inline" onSubmit={(event) => { event.preventDefault(); sling.run(list); }}>
        <input placeholder="bead-1, bead-2" value={beads} onChange={(event) => setBeads(event.target.value)} required />
        <button type="submit" disabled={sling.pending}>
          Sling batch
        </button>
      </form>
      {sling.error !== null && <p className="error">{sling.error}</p>}
    </div>
  );
}

function Molecules({ town }: { town: Town }) {
  const [formula, setFormula] = useState('');
  const create = useMutation((value: string) => trpc.createMolecule.mutate({ townId: town.id, formula: value }));
  return (
    <div className="card" data-testid="molecule-panel">
      <h2>Molecules</h2>
      <ul>
        {town.molecules.map((molecule) => (
          <li key={molecule.id}>{molecule.formula}</li>
        ))}
      </ul>
      <form className="inline" onSubmit={(event) => { event.preventDefault(); create.run(formula); }}>
        <input placeholder="Formula" value={formula} onChange={(event) => setFormula(event.target.value)} required />
        <button type="submit" disabled={create.pending}>
          Create molecule
        </button>
      </form>
      {create.error !== null && <p className="error">{create.error}</p>}
    </div>
  );
}

function Containers({ town }: { town: Town }) {
  const dispatch = useMutation(() => trpc.dispatchContainer.mutate({ townId: town.id }));
  return (
    <div className="card">
      <h2>Containers</h2>
      <table data-testid="containers">
        <tbody>
          {town.containers.map((container) => (
            <tr key={container.id}>
              <td>{container.id}</td>
              <td>dispatched {new Date(container.dispatchedAt).toLocaleTimeString()}</td>
              <td>{container.callbacks} agent callbacks</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => dispatch.run(undefined)} disabled={dispatch.pending} data-testid="dispatch">
        Dispatch a container
      </button>
      {dispatch.error !== null && <p className="error">{dispatch.error}</p>}
    </div>
  );
}
