// How DataGrid's columns share the width: what is measured is never cut,
// free text gives way (the row's name last), and a grid too narrow for every
// floor scrolls sideways rather than cutting a date or a header.
import { describe, expect, it } from 'vitest';
import { columnTracks, type Needs, type SizedColumn } from '../../renderer/src/lib/column-sizing.js';

const needs = (header: Record<string, number>, content: Record<string, number> = {}): Needs => ({
  header: new Map(Object.entries(header)),
  content: new Map(Object.entries(content)),
});

// The request queue's shape: a name-like primary column, two free-text ones, a status badge and a date.
const columns: SizedColumn[] = [
  { id: 'role', width: 'minmax(240px, 1.8fr)', minWidth: 240, truncate: true },
  { id: 'for', width: 'minmax(170px, 1.3fr)', minWidth: 170, truncate: true },
  { id: 'by', width: 'minmax(160px, 1fr)', minWidth: 160, truncate: true },
  { id: 'status', width: '150px', minWidth: 150 },
  { id: 'created', width: '120px', minWidth: 120 },
];

describe('DataGrid column sizing', () => {
  it('sizes measured columns to their content and header, not to the declared guess', () => {
    const t = columnTracks(columns, needs({ status: 70, created: 81 }, { status: 96, created: 130 }), 2000);
    expect(t.template).toBe('minmax(240px, 1.8fr) minmax(170px, 1.3fr) minmax(160px, 1fr) 96px 130px');
    expect(t.minWidth).toBe(240 + 170 + 160 + 96 + 130);
  });

  it('keeps the declared width until rows have been measured, and never goes below a header', () => {
    const t = columnTracks(columns, needs({ status: 70, created: 140, for: 190 }), 2000);
    expect(t.mins).toEqual([240, 190, 160, 150, 140]);
  });

  it('lets free text give way when the grid is narrow, never the measured columns or the primary one', () => {
    const n = needs({ role: 50, for: 40, by: 110, status: 70, created: 81 }, { status: 96, created: 130 });
    const wide = 240 + 170 + 160 + 96 + 130; // 796
    const t = columnTracks(columns, n, wide - 60);
    expect(t.minWidth).toBeLessThanOrEqual(wide - 60);
    const [role, forCol, by, status, created] = t.mins;
    expect([role, status, created]).toEqual([240, 96, 130]);
    expect(forCol).toBeLessThan(170);
    expect(by).toBeLessThan(160);
    // Each gives in proportion to what it can give: 'for' down to 85 (half of 170), 'by' only to its header (110).
    expect(by).toBeGreaterThanOrEqual(110);
  });

  it('scrolls sideways (minimum wider than the grid) rather than cut below the floors', () => {
    const n = needs({ role: 50, for: 40, by: 110, status: 70, created: 81 }, { status: 96, created: 130 });
    const t = columnTracks(columns, n, 500);
    expect(t.mins).toEqual([240, 85, 110, 96, 130]);
    expect(t.minWidth).toBeGreaterThan(500);
  });

  it('leaves a track it cannot read as declared', () => {
    const t = columnTracks([{ id: 'x', width: 'auto', minWidth: 80 }], needs({ x: 120 }), 1000);
    expect(t.template).toBe('auto');
  });
});
