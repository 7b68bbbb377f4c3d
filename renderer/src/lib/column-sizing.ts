// How DataGrid's columns share the width: pure, so the rules are unit-tested.
//
// Columns that are not free text (dates, badges, counts, ids) are never cut:
// their minimum is what their header and content were measured to need.
// Free-text columns (names, e-mails, notes) keep the minimum their author
// declared while it fits; when the grid is narrower than every minimum, they
// give way together, down to a floor (their header, and half the declared
// minimum), so a 1280 px window shows every column without scrolling
// sideways. The first free-text column names the row (a person, a role, a
// group) and keeps its declared minimum. Whatever width is left goes to the
// flexible (`fr`) tracks.

/** Natural widths seen so far, by column id: of the header, and of the content (columns that are not free text). */
export type Needs = { header: ReadonlyMap<string, number>; content: ReadonlyMap<string, number> };

export type SizedColumn = { id: string; width: string; minWidth: number; truncate?: boolean };

const FIXED_TRACK = /^\d+(?:\.\d+)?px$/;
const FLEX_TRACK = /^minmax\(\s*\d+(?:\.\d+)?px\s*,\s*([^)]+?)\s*\)$/;
/** How far a free-text column may shrink below its declared minimum when space is short. */
export const FREE_TEXT_FLOOR = 0.5;

type Sized = { c: SizedColumn; min: number; floor: number };

/** The grid template and the width below which the grid scrolls sideways. */
export function columnTracks(columns: readonly SizedColumn[], needs: Needs, gridWidth: number): { template: string; minWidth: number; mins: number[] } {
  const primary = columns.find((c) => c.truncate);
  const sized: Sized[] = columns.map((c) => {
    const header = needs.header.get(c.id) ?? 0;
    if (c.truncate) {
      const min = Math.max(c.minWidth, header);
      if (c === primary) return { c, min, floor: min };
      return { c, min, floor: Math.min(min, Math.max(header, Math.round(c.minWidth * FREE_TEXT_FLOOR))) };
    }
    // Until rows have been measured, the declared minimum stands in for the content.
    const content = needs.content.get(c.id);
    const min = Math.max(content ?? c.minWidth, header);
    return { c, min, floor: min };
  });
  const total = sized.reduce((s, x) => s + x.min, 0);
  if (gridWidth > 0 && total > gridWidth) {
    // Free text gives way, each column in proportion to what it can give, no further than its floor.
    const give = sized.reduce((s, x) => s + (x.min - x.floor), 0);
    const share = give > 0 ? Math.min(1, (total - gridWidth) / give) : 0;
    for (const x of sized) x.min = Math.floor(x.min - (x.min - x.floor) * share);
  }
  const mins = sized.map((x) => x.min);
  const template = sized
    .map(({ c, min }) => {
      if (FIXED_TRACK.test(c.width)) return `${min}px`;
      const flex = FLEX_TRACK.exec(c.width);
      return flex?.[1] ? `minmax(${min}px, ${flex[1]})` : c.width;
    })
    .join(' ');
  return { template, minWidth: mins.reduce((s, m) => s + m, 0), mins };
}
