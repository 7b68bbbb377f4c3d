// PLACEHOLDER (being written): one person across IdPs (correlation).
import type { AccountRef, CorrelationIssue } from '../../../shared/domain.js';
import type { Db } from '../db/database.js';

/** Recomputes person_links and correlation_issues from the live snapshots. */
export function refreshCorrelation(_db: Db): void {}

export function correlationIssues(_db: Db): CorrelationIssue[] {
  return [];
}

export function accountsOf(_db: Db, _connectionId: number, _id: string): AccountRef[] {
  return [];
}
