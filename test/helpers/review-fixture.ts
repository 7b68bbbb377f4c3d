// Review campaigns and items written straight into a workspace, for the
// tests of what comes after launch (decisions, close, remediation) without
// going through launch itself: the rows look like launch's (an active
// campaign with its definition; items frozen from the live snapshot or made
// up), nothing more.
import { campaignDefinitionInput, type CampaignDefinition } from '../../shared/contract-reviews.js';
import type { Db } from '../../electron/engine/db/database.js';

export type FixtureCampaign = {
  name?: string;
  status?: 'draft' | 'active' | 'remediating' | 'complete' | 'cancelled';
  stage?: 1 | 2;
  dueAt?: string;
  launchedAt?: string;
  definition?: Partial<CampaignDefinition>;
};

export function insertCampaign(db: Db, c: FixtureCampaign = {}): number {
  const dueAt = c.dueAt ?? '2030-01-01T00:00:00.000Z';
  const def = campaignDefinitionInput.parse({
    name: c.name ?? 'Q1 review',
    scope: {},
    reviewers: { stage1: { kind: 'manager' }, fallback: 'fallback@example.com' },
    dueAt,
    ...c.definition,
  });
  const at = c.launchedAt ?? '2026-01-01T00:00:00.000Z';
  return Number(
    db
      .prepare(
        `INSERT INTO review_campaigns (name, definition, status, stage, due_at, created_by, created_channel, created_at, launched_by, launched_channel, launched_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'admin@example.com', 'cli', ?, 'admin@example.com', 'cli', ?, ?)`,
      )
      .run(def.name, JSON.stringify(def), c.status ?? 'active', c.stage ?? 1, def.dueAt, at, at, at).lastInsertRowid,
  );
}

export type FixtureItem = {
  connectionId?: number;
  identityId?: string;
  groupId?: string;
  groupName?: string;
  personName?: string;
  personEmail?: string | null;
  managerEmail?: string | null;
  reviewer: string;
  recommendation?: 'revoke' | 'look' | 'keep';
  risk?: string | null;
  heldVia?: 'direct' | 'group-rule' | 'dynamic-group' | 'external';
  grantId?: number | null;
  roleId?: number | null;
  appLabel?: string | null;
  stage?: 1 | 2;
};

let n = 0;

export function insertItem(db: Db, campaignId: number, i: FixtureItem): number {
  n++;
  const rec = i.recommendation ?? 'look';
  return Number(
    db
      .prepare(
        `INSERT INTO review_items (campaign_id, connection_id, identity_id, group_id, group_name, person_name, person_email, person_status, manager_email,
           held_via, role_id, risk, app_label, grant_id, row_hash, recommendation, launch_recommendation, stage, reviewer, reviewer_source)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'manager')`,
      )
      .run(
        campaignId,
        i.connectionId ?? 1,
        i.identityId ?? `u${n}`,
        i.groupId ?? `g${n}`,
        i.groupName ?? `Group ${n}`,
        i.personName ?? `Person ${n}`,
        i.personEmail === undefined ? `person${n}@example.com` : i.personEmail,
        i.managerEmail ?? null,
        i.heldVia ?? 'direct',
        i.roleId ?? null,
        i.risk ?? null,
        i.appLabel ?? null,
        i.grantId ?? null,
        `hash-${n}`,
        rec,
        rec,
        i.stage ?? 1,
        i.reviewer,
      ).lastInsertRowid,
  );
}

/** Many items for one reviewer in one statement (the bulk-decision tests). */
export function insertManyItems(db: Db, campaignId: number, count: number, reviewer: string, recommendation: 'revoke' | 'look' | 'keep' = 'look'): void {
  db.prepare(
    `WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < ?)
     INSERT INTO review_items (campaign_id, connection_id, identity_id, group_id, group_name, person_name, person_email, person_status, held_via, row_hash,
       recommendation, launch_recommendation, reviewer, reviewer_source)
     SELECT ?, 1, 'bulk-' || x, 'g-bulk', 'Bulk group', 'Bulk ' || x, 'bulk' || x || '@example.com', 'ACTIVE', 'direct', 'h' || x, ?, ?, ?, 'manager' FROM k`,
  ).run(count, campaignId, recommendation, recommendation, reviewer);
}

/**
 * An item per live membership of a group (what launch would freeze), with the
 * person's grant behind it when the ledger has a live one.
 */
export function itemForMembership(
  db: Db,
  campaignId: number,
  m: { connectionId: number; groupId: string; identityId: string; reviewer: string; grantId?: number | null; recommendation?: 'revoke' | 'look' | 'keep'; heldVia?: FixtureItem['heldVia'] },
): number {
  const who = db.prepare('SELECT display_name, email FROM cur_identities WHERE connection_id = ? AND id = ?').get(m.connectionId, m.identityId) as { display_name: string; email: string | null };
  const g = db.prepare('SELECT name FROM cur_groups WHERE connection_id = ? AND id = ?').get(m.connectionId, m.groupId) as { name: string };
  return insertItem(db, campaignId, {
    connectionId: m.connectionId,
    identityId: m.identityId,
    groupId: m.groupId,
    groupName: g.name,
    personName: who.display_name,
    personEmail: who.email,
    reviewer: m.reviewer,
    recommendation: m.recommendation ?? 'look',
    heldVia: m.heldVia ?? 'direct',
    grantId: m.grantId ?? null,
  });
}
