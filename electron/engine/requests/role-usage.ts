// How many requests name a catalog role (all, and still pending): the
// catalog's role page shows it and says why a used role can't be deleted.
import type { Db } from '../db/database.js';

export function roleRequestCounts(db: Db, roleId: number): { requestCount: number; openRequestCount: number } {
  const r = db.prepare("SELECT count(*) AS total, coalesce(sum(status = 'pending'), 0) AS open FROM requests WHERE role_id = ?").get(roleId) as {
    total: number;
    open: number;
  };
  return { requestCount: r.total, openRequestCount: r.open };
}
