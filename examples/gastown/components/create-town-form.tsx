'use client';
import { useState } from 'react';
import { trpc } from '../lib/trpc/client';

export function CreateTownForm() {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const town = await trpc.createTown.mutate({ name });
      window.location.assign(`/gastown/towns/${town.id}`);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  }
  return (
    <form className="inline" onSubmit={submit}>
      <input name="name" placeholder="Town name" value={name} onChange={(event) => setName(event.target.value)} data-testid="town-name" required />
      <button type="submit" data-testid="create-town">
        Create town
      </button>
      {error !== null && <span className="error">{error}</span>}
    </form>
  );
}
