// Migration 10: a reviewer's items in the review grid's opening order
// (person name, case-insensitive, then id), so the console's first screen of
// a 100,000-item queue (reviews:grid with `first`) is an index range read of
// a hundred entries instead of a sort of the whole queue — ~100 ms warm and
// ~500 ms on a cold page cache before, the difference between the grid
// opening at once or not. The rowid (the item id) ends every index entry,
// which is the tie-break.
export const migration010 = {
  version: 10,
  name: 'review-queue-order',
  sql: `
CREATE INDEX review_items_by_reviewer_name ON review_items (campaign_id, reviewer, lower(person_name));
`,
} as const;
