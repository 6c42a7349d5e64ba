// `npm start`: the Gastown demo (examples/gastown). The launcher is TypeScript, run through tsx.
import { tsImport } from 'tsx/esm/api';

await tsImport('../examples/gastown/launcher/main.ts', import.meta.url);
