// A small React app for the Chromium test: server-rendered with the snapshot, hydrated from it.
import { useEffect, type ReactNode } from 'react';
import { Feature, FlagstageProvider, useFlag } from 'flagstage/react';
import type { FlagSnapshot } from 'flagstage';

function SlingButton(): ReactNode {
  const convoys = useFlag('convoys');
  return <button id="sling" data-mode={convoys ? 'batch' : 'single'}>{convoys ? 'Sling batch' : 'Sling'}</button>;
}

function Hydrated(): null {
  useEffect(() => {
    (window as unknown as { __hydrated: boolean }).__hydrated = true;
  }, []);
  return null;
}

export function App({ snapshot }: { snapshot: FlagSnapshot }): ReactNode {
  return (
    <FlagstageProvider snapshot={snapshot}>
      <nav>
        <a href="/">Home</a>
        <Feature flag="gastown">
          <a id="nav-gastown" href="/gastown">Gastown</a>
        </Feature>
        <Feature flag="molecules" fallback={<span id="molecules-off">Molecules (soon)</span>}>
          <a id="nav-molecules" href="/molecules">Molecules</a>
        </Feature>
      </nav>
      <SlingButton />
      <Hydrated />
    </FlagstageProvider>
  );
}
