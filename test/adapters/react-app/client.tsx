import { hydrateRoot } from 'react-dom/client';
import type { FlagSnapshot } from 'flagstage';
import { App } from './app';

const errors: string[] = ((window as unknown as { __errors: string[] }).__errors = []);
const snapshot = JSON.parse(document.getElementById('flagstage-snapshot')!.textContent!) as FlagSnapshot;
hydrateRoot(document.getElementById('root')!, <App snapshot={snapshot} />, {
  onRecoverableError: (error) => errors.push(String(error)),
});
