import { flagstageServer } from 'flagstage/next';
import { flags } from './flags';

export const { requireFlag, getSnapshot } = flagstageServer(flags, { redirectTo: '/' });
