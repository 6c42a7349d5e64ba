'use client';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

/** Runs a tRPC mutation, shows its error (a flag refusal reads `flagstage: forbidden (…)`), then re-renders the page's server data. */
export function useMutation<A>(mutate: (args: A) => Promise<unknown>) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const run = (args: A) =>
    startTransition(async () => {
      setError(null);
      try {
        await mutate(args);
        router.refresh();
      } catch (caught) {
        setError(caught instanceof Error ? caught.message : String(caught));
      }
    });
  return { run, error, pending };
}
