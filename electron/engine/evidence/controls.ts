// The Controls sheet: for each SOC 2 and ISO/IEC 27001:2022 control an
// access auditor tests, what it asks (in short), which sheets and columns of
// this workbook evidence it, and what the Exceptions sheet found on those
// sheets. The columns are named by their exact headers; a header that is not
// on the sheet is not claimed (test/unit/evidence-controls.test.ts fails when
// a sheet's column is renamed and this list is not).
import type { EvidenceColumn } from './sheet-types.js';

export type ControlEvidence = { sheet: string; columns: readonly string[] };
export type Control = { framework: string; id: string; asks: string; evidence: readonly ControlEvidence[] };

export const CONTROLS: readonly Control[] = [
  {
    framework: 'SOC 2 (2017 TSC)',
    id: 'CC6.1',
    asks: 'Logical access security over protected information assets: a complete inventory of accounts and access, restricted to authorised users, with privileged access controlled.',
    evidence: [
      { sheet: 'People', columns: ['Status at period end', 'Employment type', 'Department', 'Manager', 'Person (correlation)'] },
      { sheet: 'Access', columns: ['Person', 'Group', 'Catalog role', 'How held', 'Process', 'Grant', 'Request'] },
      { sheet: 'Privileged', columns: ['Person', 'Group', 'Catalog role', 'Risk', 'Grant', 'Last review'] },
      { sheet: 'Drift', columns: ['Person', 'Group', 'First seen (UTC)', 'Open at period end', 'Resolved how'] },
    ],
  },
  {
    framework: 'SOC 2 (2017 TSC)',
    id: 'CC6.2',
    asks: 'New users are registered and authorised before access is issued; access of users who leave is removed.',
    evidence: [
      { sheet: 'Requests', columns: ['Requester', 'Beneficiary', 'Role', 'Justification', 'Jira issue', 'Created at (UTC)'] },
      { sheet: 'Approvals', columns: ['Approver', 'Decision', 'Decided at (UTC)', 'Channel', 'Recorded by', 'Access provisioned at (UTC)'] },
      { sheet: 'Grants', columns: ['Provisioned at (UTC)', 'Ended at (UTC)', 'Ended how', 'Verified by sync run'] },
      { sheet: 'Leavers', columns: ['Detected at (UTC)', 'Access removed at (UTC)', 'Hours taken', 'Within deadline'] },
    ],
  },
  {
    framework: 'SOC 2 (2017 TSC)',
    id: 'CC6.3',
    asks: 'Access is authorised, modified and removed based on roles and least privilege, and is periodically reviewed.',
    evidence: [
      { sheet: 'Grants', columns: ['Group', 'Provisioned at (UTC)', 'Expires at (UTC)', 'Ended at (UTC)', 'Ended how', 'Verified by sync run'] },
      { sheet: 'Reviews', columns: ['Campaign', 'Assigned reviewer', 'Decided by', 'Decision', 'Reason', 'Decided at (UTC)', 'Remediation', 'Verified by sync run'] },
      { sheet: 'Changes', columns: ['Kind', 'Sync run', 'Run finished (UTC)'] },
    ],
  },
  {
    framework: 'ISO/IEC 27001:2022',
    id: 'A.5.15',
    asks: 'Access control: rules for physical and logical access are established and implemented on business and security requirements.',
    evidence: [
      { sheet: 'Access', columns: ['How held', 'Process', 'Grant', 'Request'] },
      { sheet: 'Requests', columns: ['Role', 'Justification'] },
      { sheet: 'Drift', columns: ['First seen (UTC)', 'Resolved how'] },
    ],
  },
  {
    framework: 'ISO/IEC 27001:2022',
    id: 'A.5.16',
    asks: 'Identity management: the full life cycle of identities is managed (registration, change, removal).',
    evidence: [
      { sheet: 'People', columns: ['Status at period end', 'Created (UTC)', 'Last sign-in, latest sync (UTC)', 'Person (correlation)'] },
      { sheet: 'Leavers', columns: ['Detected at (UTC)', 'Access removed at (UTC)', 'Within deadline'] },
      { sheet: 'Changes', columns: ['Kind', 'Run finished (UTC)'] },
    ],
  },
  {
    framework: 'ISO/IEC 27001:2022',
    id: 'A.5.18',
    asks: 'Access rights are provisioned, reviewed, modified and removed in line with the access control policy.',
    evidence: [
      { sheet: 'Requests', columns: ['Requester', 'Beneficiary', 'Role', 'Duration'] },
      { sheet: 'Approvals', columns: ['Approver', 'Decision', 'Decided at (UTC)'] },
      { sheet: 'Grants', columns: ['Provisioned at (UTC)', 'Ended at (UTC)', 'Ended how', 'Verified by sync run'] },
      { sheet: 'Reviews', columns: ['Decided by', 'Decision', 'Remediation', 'Verified by sync run'] },
    ],
  },
  {
    framework: 'ISO/IEC 27001:2022',
    id: 'A.8.2',
    asks: 'Privileged access rights are restricted and managed.',
    evidence: [
      { sheet: 'Privileged', columns: ['Person', 'Group', 'Catalog role', 'Risk', 'Grant', 'Last review', 'Last review at (UTC)'] },
      { sheet: 'Reviews', columns: ['Group', 'Decision', 'Remediation'] },
      { sheet: 'Review campaigns', columns: ['Scope', 'Population count', 'Population hash', 'Completed at (UTC)'] },
    ],
  },
];

/** The columns of `sheet` a control names, as the sheet heads them ("all columns" when none match by name). */
export function evidencedColumns(wanted: readonly string[], columns: readonly EvidenceColumn[]): string {
  const found = columns.map((c) => c.header).filter((h) => wanted.includes(h));
  return found.length ? found.join(', ') : 'all columns';
}

/** The Controls sheet's rows, given which sheets the workbook has (their columns) and the exceptions counted per sheet. */
export function controlRows(sheets: ReadonlyMap<string, readonly EvidenceColumn[]>, exceptionsBySheet: ReadonlyMap<string, number>): string[][] {
  const rows: string[][] = [];
  for (const c of CONTROLS) {
    const present = c.evidence.filter((e) => sheets.has(e.sheet));
    const missing = c.evidence.filter((e) => !sheets.has(e.sheet)).map((e) => e.sheet);
    const by = present.map((e) => `${e.sheet}: ${evidencedColumns(e.columns, sheets.get(e.sheet) ?? [])}`);
    if (missing.length) by.push(`(not in this workbook: ${missing.join(', ')})`);
    const counts = present.map((e) => ({ sheet: e.sheet, n: exceptionsBySheet.get(e.sheet) ?? 0 }));
    const total = counts.reduce((s, x) => s + x.n, 0);
    const found = total === 0 ? 'none' : counts.filter((x) => x.n > 0).map((x) => `${x.n.toLocaleString('en-US')} on ${x.sheet}`).join('; ');
    rows.push([c.framework, c.id, c.asks, by.join('\n'), found]);
  }
  return rows;
}
