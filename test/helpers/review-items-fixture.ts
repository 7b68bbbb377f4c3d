// Review campaigns and items inserted directly (launch is built separately):
// an active campaign with a stage due date and N items per reviewer, each
// with its row hash in launch's canonical form (reviews/population.ts), so the
// workbook, reminders and Jira issues can be tested on a real workspace file.
import type { Db } from '../../electron/engine/db/database.js';
import { FROZEN_COLUMNS, itemRowHash, type FrozenValues } from '../../electron/engine/reviews/row-hash.js';

export type CampaignSpec = { name?: string; status?: string; stage?: 1 | 2; dueAt: string; stageDueAt?: string; createdAt?: string };

export function insertCampaign(db: Db, spec: CampaignSpec): number {
  const at = spec.createdAt ?? '2026-03-01T00:00:00.000Z';
  const definition = {
    name: spec.name ?? 'Q1 review',
    description: '',
    scope: { roleIds: [], appIds: [], groups: [], idpApps: [], connectionIds: [], people: { departments: [], employmentTypes: [], statuses: [], managerEmails: [] }, includeTimeBound: true, includeRuleManaged: true },
    reviewers: { stage1: { kind: 'manager', named: [] }, fallback: 'cleo@acme.example' },
    dueAt: spec.dueAt,
    defaultOutcome: 'no-change',
    thresholds: { staleSyncHours: 24, inactiveLookDays: 30, inactiveRevokeDays: 90, neverSignedInDays: 14, recentApprovalDays: 30, peerPercent: 10, peerMinGroup: 5 },
    recurrenceMonths: null,
  };
  return Number(
    db
      .prepare(
        `INSERT INTO review_campaigns (name, description, definition, status, stage, due_at, stage_due_at, created_by, created_channel, created_at, launched_by, launched_channel, launched_at, population_count, population_hash, updated_at)
         VALUES (?, '', ?, ?, ?, ?, ?, 'test', 'cli', ?, 'test', 'cli', ?, 0, ?, ?)`,
      )
      .run(spec.name ?? 'Q1 review', JSON.stringify(definition), spec.status ?? 'active', spec.stage ?? 1, spec.dueAt, spec.stageDueAt ?? spec.dueAt, at, at, 'f'.repeat(64), at).lastInsertRowid,
  );
}

/** `storedReasons`: the reasons column exactly as given (either form of reviews/reason-codes.ts), instead of `reasons` as JSON. */
export type ItemSpec = { reviewer: string; stage?: 1 | 2; recommendation?: 'revoke' | 'look' | 'keep'; reasons?: { code: string; text: string }[]; storedReasons?: string; values?: Partial<Record<(typeof FROZEN_COLUMNS)[number], string | number | null>> };

/** The frozen values of the n-th generated item (varied, with empty and JSON-list columns). */
export function itemValues(n: number, connectionId: number, over: ItemSpec['values'] = {}): FrozenValues {
  return {
    connection_id: connectionId,
    identity_id: `u-${n}`,
    group_id: `g-${n % 7}`,
    group_name: `app-group-${n % 7}`,
    person_name: `Person ${String(n).padStart(6, '0')}`,
    person_email: `person${n}@acme.example`,
    person_status: n % 11 === 0 ? 'SUSPENDED' : 'ACTIVE',
    title: n % 3 === 0 ? null : 'Engineer',
    department: `Dept ${n % 5}`,
    manager_email: 'grace@acme.example',
    manager_name: 'Grace Hopper',
    employment_type: n % 4 === 0 ? 'Contractor' : 'Employee',
    last_login: n % 6 === 0 ? null : '2026-01-15T08:30:00.000Z',
    account_created: '2024-05-01T00:00:00.000Z',
    held_via: n % 9 === 0 ? 'group-rule' : 'direct',
    via_apps: JSON.stringify(n % 2 === 0 ? ['Figma'] : []),
    role_id: n % 2 === 0 ? 3 : null,
    role_label: n % 2 === 0 ? 'Figma / Editor' : null,
    risk: n % 2 === 0 ? 'high' : null,
    app_label: n % 2 === 0 ? 'Figma' : null,
    grant_id: n % 2 === 0 ? 100 + n : null,
    request_id: n % 4 === 0 ? 200 + n : null,
    approvers: JSON.stringify(n % 4 === 0 ? ['grace@acme.example'] : []),
    jira_key: n % 4 === 0 ? `ACC-${n}` : null,
    granted_at: n % 2 === 0 ? '2025-11-01T10:00:00.000Z' : null,
    expires_at: n % 8 === 0 ? '2026-12-31T00:00:00.000Z' : null,
    ...over,
  };
}

const COLS = ['campaign_id', ...FROZEN_COLUMNS, 'row_hash', 'recommendation', 'reasons', 'launch_recommendation', 'launch_reasons', 'stage', 'reviewer', 'reviewer_source'];

/** Inserts items (in one transaction); returns their ids in order. */
export function insertItems(db: Db, campaignId: number, connectionId: number, specs: readonly ItemSpec[], firstN = 1): number[] {
  const stmt = db.prepare(`INSERT INTO review_items (${COLS.join(', ')}) VALUES (${COLS.map(() => '?').join(', ')})`);
  return db.transaction(() =>
    specs.map((s, k) => {
      const v = itemValues(firstN + k, connectionId, s.values);
      const reasons = s.storedReasons ?? JSON.stringify(s.reasons ?? (s.recommendation === 'revoke' ? [{ code: 'no-sign-in', text: 'No sign-in for 90 days' }] : []));
      const rec = s.recommendation ?? 'keep';
      const frozen = FROZEN_COLUMNS.map((c) => v[c] ?? null);
      return Number(stmt.run(campaignId, ...frozen, itemRowHash(v), rec, reasons, rec, reasons, s.stage ?? 1, s.reviewer, 'manager').lastInsertRowid);
    }),
  )();
}

/** Sets an item's current decision directly (decisions are built separately): submitted unless said. */
export function setDecision(db: Db, itemId: number, o: { decision: 'keep' | 'revoke'; state?: 'draft' | 'submitted'; by?: string; at?: string }): void {
  const item = db.prepare('SELECT campaign_id, stage, reviewer FROM review_items WHERE id = ?').get(itemId) as { campaign_id: number; stage: number; reviewer: string };
  db.prepare(
    `INSERT INTO review_decisions (item_id, stage, campaign_id, decision, reason_code, comment, state, decided_by, channel, decided_at)
     VALUES (?, ?, ?, ?, 'still-needed', '', ?, ?, 'console', ?)
     ON CONFLICT (item_id, stage) DO UPDATE SET decision = excluded.decision, state = excluded.state`,
  ).run(itemId, item.stage, item.campaign_id, o.decision, o.state ?? 'submitted', o.by ?? item.reviewer, o.at ?? '2026-03-05T00:00:00.000Z');
}
