// The Controls sheet claims columns by their exact headers: every column it
// names must be on the sheet it names, in the workbook's real registry, so a
// renamed or dropped column fails here instead of silently leaving a control
// with less evidence than the sheet says. And each control the issue lists
// (SOC 2 CC6.1–CC6.3, ISO/IEC 27001:2022 A.5.15, A.5.16, A.5.18, A.8.2) is there.
import { describe, expect, it } from 'vitest';
import { CONTROLS, controlRows, evidencedColumns } from '../../electron/engine/evidence/controls.js';
import { EVIDENCE_SHEETS } from '../../electron/engine/evidence/sheets.js';

const sheets = new Map(EVIDENCE_SHEETS.map((s) => [s.name, s.columns]));

describe('the Controls sheet', () => {
  it('covers the controls an access auditor tests', () => {
    expect(CONTROLS.map((c) => c.id)).toEqual(['CC6.1', 'CC6.2', 'CC6.3', 'A.5.15', 'A.5.16', 'A.5.18', 'A.8.2']);
  });

  it('names only sheets of the workbook and columns those sheets have, exactly', () => {
    const missing: string[] = [];
    for (const c of CONTROLS) {
      for (const e of c.evidence) {
        const columns = sheets.get(e.sheet);
        if (!columns) {
          missing.push(`${c.id}: no sheet ${e.sheet}`);
          continue;
        }
        for (const want of e.columns) if (!columns.some((col) => col.header === want)) missing.push(`${c.id}: ${e.sheet} has no column "${want}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('does not claim a column by a prefix of its header', () => {
    expect(evidencedColumns(['Group'], [{ header: 'Group', type: 'text' }, { header: 'Group id', type: 'text' }])).toBe('Group');
    expect(evidencedColumns(['Granted at'], [{ header: 'Granted at (UTC)', type: 'date' }])).toBe('all columns');
  });

  it('reports the exceptions found on each control\'s sheets', () => {
    const rows = controlRows(sheets, new Map([['Approvals', 3], ['Leavers', 1]]));
    const cc62 = rows.find((r) => r[1] === 'CC6.2');
    expect(cc62?.[4]).toBe('3 on Approvals; 1 on Leavers');
  });
});
