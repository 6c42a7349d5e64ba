// The npm mirror on these machines lacks some platform packages (e.g. @next/swc-darwin-*), so npm
// writes a lock that `npm ci` then rejects. This drops optional dependencies the lock has no entry for.
// Run after `npm install`: node scripts/prune-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs';
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const pkgs = lock.packages; let removed = [];
for (const [path, entry] of Object.entries(pkgs)) {
  if (!entry.optionalDependencies) continue;
  for (const dep of Object.keys(entry.optionalDependencies)) {
    // resolve like node: nested first, then up
    let base = path; let found = false;
    while (true) { const cand = (base ? base + '/' : '') + 'node_modules/' + dep; if (pkgs[cand]) { found = true; break; } if (!base) break; const i = base.lastIndexOf('/node_modules/'); base = i < 0 ? '' : base.slice(0, i); }
    if (!found) { delete entry.optionalDependencies[dep]; removed.push(`${path} -> ${dep}`); }
  }
}
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(removed.join('\n'));
