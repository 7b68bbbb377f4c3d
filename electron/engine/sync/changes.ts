// PLACEHOLDER (being written): listing recorded changes and diffing two runs.
import type { ChangesQuery, DiffQuery } from '../../../shared/contract.js';
import type { ChangeCounts, Page, RunDiff, SnapshotChange } from '../../../shared/domain.js';
import type { Db } from '../db/database.js';

export function listChanges(_db: Db, _q: ChangesQuery): Page<SnapshotChange> & { counts: ChangeCounts } {
  throw new Error('changes are not built yet');
}

export function diffRuns(_db: Db, _q: DiffQuery): RunDiff {
  throw new Error('diff is not built yet');
}
