// A launch scoped by people filters (department, employment type, status,
// manager) freezes exactly the memberships of the accounts that pass them —
// computed here independently from the snapshot — with each account's person
// and manager columns as the snapshot has them and its manager as reviewer
// (the launch reads all of these from one per-account input row:
// reviews/launch-inputs.ts), and the preview agrees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, launchCampaign, previewCampaign } from '../../electron/engine/reviews/campaigns.js';
import { canonicalRow, sha256Hex, type FrozenColumn } from '../../electron/engine/reviews/population.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import type { JobsWorkspace } from './job-helpers.js';
import { definition, reviewWorkspace } from './review-helpers.js';

const dir = tempDir('latchkey-review-people-');
let sandbox: Sandbox;
let w: JobsWorkspace;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 33, graph: false });
  w = await reviewWorkspace(dir, sandbox);
}, 90_000);
afterAll(async () => {
  await sandbox.close();
});

type Account = { id: string; display_name: string; email: string | null; status: string; title: string | null; department: string | null; employee_type: string | null; last_login: string | null; created: string | null; manager_email: string | null; manager_name: string | null };
type Item = Record<FrozenColumn, string | number | null> & { row_hash: string; reviewer: string; reviewer_source: string };

describe('a launch scoped by people filters', () => {
  it('freezes exactly the memberships of the accounts that pass, with their person and manager columns and their manager reviewing', () => {
    const accounts = w.db
      .prepare(
        `SELECT i.id, i.display_name, i.email, i.status, i.title, i.department, i.employee_type, i.last_login, i.created, mg.email AS manager_email, mg.display_name AS manager_name
         FROM cur_identities i LEFT JOIN cur_identities mg ON mg.connection_id = i.connection_id AND mg.id = i.manager_id WHERE i.connection_id = ?`,
      )
      .all(w.okta.id) as Account[];
    // The most common department among accounts with a manager who has an e-mail, and that department's most common manager.
    const count = <T,>(xs: T[]): T => [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>())].sort((a, b) => b[1] - a[1])[0]?.[0] as T;
    const managed = accounts.filter((a) => a.department && a.manager_email);
    const department = count(managed.map((a) => a.department as string));
    const manager = count(managed.filter((a) => a.department === department).map((a) => (a.manager_email as string).toLowerCase()));
    const types = [...new Set(accounts.map((a) => a.employee_type).filter((t): t is string => t !== null))];
    const passes = (a: Account): boolean =>
      a.department?.toLowerCase() === department.toLowerCase() && a.status.toUpperCase() === 'ACTIVE' && a.manager_email?.toLowerCase() === manager && a.employee_type !== null && types.includes(a.employee_type);
    const inScope = new Map(accounts.filter(passes).map((a) => [a.id, a]));
    const memberships = (w.db.prepare('SELECT identity_id, group_id FROM cur_memberships WHERE connection_id = ?').all(w.okta.id) as { identity_id: string; group_id: string }[]).filter((m) =>
      inScope.has(m.identity_id),
    );
    expect(inScope.size).toBeGreaterThan(0);
    expect(memberships.length).toBeGreaterThan(inScope.size);

    // Filters written in another case than the snapshot's: they compare case-insensitively.
    const c = createCampaign(w.ctx, definition({ scope: { people: { departments: [department.toUpperCase()], employmentTypes: types.map((t) => t.toLowerCase()), statuses: ['active'], managerEmails: [manager.toUpperCase()] } } }, w.ctx.clock.now()));
    const p = previewCampaign(w.ctx, c.id);
    const v = launchCampaign(w.ctx, c.id, {});
    expect(p.total).toBe(memberships.length);
    expect(v.population?.count).toBe(memberships.length);
    expect(v.population?.byConnection[0]).toMatchObject({ items: memberships.length, snapshotTotal: memberships.length });

    const items = w.db.prepare('SELECT * FROM review_items WHERE campaign_id = ? ORDER BY group_id, identity_id').all(c.id) as Item[];
    const key = (x: { identity_id: string | number | null; group_id: string | number | null }): string => `${String(x.group_id)} ${String(x.identity_id)}`;
    expect(items.map(key).sort()).toEqual(memberships.map(key).sort());
    for (const it of items) {
      const a = inScope.get(it.identity_id as string) as Account;
      expect(it).toMatchObject({
        person_name: a.display_name,
        person_email: a.email?.toLowerCase() ?? null,
        person_status: a.status,
        title: a.title,
        department: a.department,
        employment_type: a.employee_type,
        last_login: a.last_login,
        account_created: a.created,
        manager_email: manager,
        manager_name: a.manager_name,
        reviewer: manager,
        reviewer_source: 'manager',
      });
      expect(sha256Hex(canonicalRow(it))).toBe(it.row_hash);
    }
  });
});
