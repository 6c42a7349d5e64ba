import { flagstageServer, type FlagstageServer } from 'flagstage/next';
import { getFlags } from './flags';

let server: FlagstageServer | null = null;

/**
 * `requireFlag(gate, identity)` for layouts, pages and actions, and `getSnapshot(identity)` for
 * React. Denied users land on the home page, which says what they were refused.
 */
export function flagsServer(): FlagstageServer {
  server ??= flagstageServer(getFlags(), { redirectTo: '/?denied=gastown' });
  return server;
}
