'use client';
import { Feature, useFlag } from 'flagstage/react';

export function ReportsNav() {
  const csv = useFlag('exportCsv');
  return (
    <nav>
      <Feature flag="reports" fallback={<span>Reports soon</span>}>
        <a href="/reports">Reports</a>
      </Feature>
      {csv ? <a href="/reports/export">Export CSV</a> : null}
    </nav>
  );
}
