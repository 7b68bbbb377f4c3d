// The evidence workbook's sheets read from the synced snapshot, in workbook
// order: People and Access (the population at the period's end), Privileged,
// Drift and Changes. Each is an EvidenceSheet (sheet-types.ts); the writer
// streams their rows. What "at the period's end" means: period-end.ts.
import { accessSheet, privilegedSheet } from './access-sheets.js';
import { changesSheet, driftSheet } from './drift-changes-sheets.js';
import { peopleSheet } from './people-sheet.js';
import type { EvidenceSheet } from './sheet-types.js';

export { accessSheet, privilegedSheet } from './access-sheets.js';
export { changesSheet, changesSheetCapped, CHANGES_CAP, driftSheet } from './drift-changes-sheets.js';
export { peopleSheet } from './people-sheet.js';

/** People, Access, Privileged, Drift, Changes. */
export const SNAPSHOT_SHEETS: readonly EvidenceSheet[] = [peopleSheet, accessSheet, privilegedSheet, driftSheet, changesSheet];
