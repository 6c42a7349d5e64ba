import { defineFlags } from 'flagstage';

// A consumer's own manifest: the installed `npx flagstage codegen` turns it into flags.gen.ts.
export default defineFlags({
  reports: { description: 'The reports section', owner: 'reports-team' },
  exportCsv: { description: 'CSV export inside reports', parent: 'reports' },
});
