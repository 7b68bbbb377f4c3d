// The notices table (the notification outbox): the only SQL on it. A notice
// is a row before it is a message: its dedup key makes it one however often
// it is planned; due, sent and cancelled say what is owed and what went out.
import type { Db } from '../db/database.js';

export function countPendingNotices(db: Db): number {
  return (db.prepare("SELECT count(*) AS n FROM notices WHERE status = 'pending'").get() as { n: number }).n;
}
