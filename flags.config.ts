import { defineFlags } from 'flagstage';

/**
 * Gastown's flags: the kit's own example, used by its tests and the demo.
 * Edit this file, then run `npx flagstage codegen` to regenerate flags.gen.ts.
 */
export default defineFlags({
  gastown: {
    description: 'Gastown: /gastown pages, tRPC procedures, worker API, sidebar nav, createTown and new container dispatch',
    owner: 'gastown-team',
  },
  convoys: {
    description: 'gt_sling_batch and the convoy UI',
    parent: 'gastown',
  },
  prMerge: {
    description: 'The `pr` merge strategy option; without it everyone gets `direct`',
    parent: 'gastown',
  },
  multiRig: {
    description: 'Adding a second rig to a town',
    parent: 'gastown',
  },
  molecules: {
    description: 'Molecule and formula creation tools',
    parent: 'gastown',
  },
});
