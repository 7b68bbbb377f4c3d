// Shared set-up for the access-review integration tests: a synced sandbox
// workspace (Okta, optionally Entra), a catalog role with an owner mapped to
// a real group, and a valid campaign definition to vary.
import type { z } from 'zod';
import { campaignDefinitionInput, type CampaignDefinition } from '../../shared/contract-reviews.js';
import type { Db } from '../../electron/engine/db/database.js';
import type { Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedRole } from '../fixtures/governance.js';
import { jobsWorkspace, type JobsWorkspace } from './job-helpers.js';

export const DAY = 86_400_000;

export async function reviewWorkspace(dir: string, sandbox: Sandbox, opts: { entra?: boolean } = {}): Promise<JobsWorkspace> {
  const w = await jobsWorkspace(dir, sandbox, { entra: opts.entra ?? false });
  w.ctx.channel = 'cli';
  w.ctx.actor = 'admin@example.com';
  return w;
}

/** The biggest hand-managed group of a connection with its members. */
export function bigGroup(db: Db, connectionId: number): { groupId: string; groupName: string; members: number } {
  return db
    .prepare(
      `SELECT g.id AS groupId, g.name AS groupName, count(*) AS members FROM cur_groups g JOIN cur_memberships m ON m.connection_id = g.connection_id AND m.group_id = g.id
       WHERE g.connection_id = ? AND g.managed_by = 'direct' GROUP BY g.id ORDER BY members DESC, g.id LIMIT 1`,
    )
    .get(connectionId) as { groupId: string; groupName: string; members: number };
}

export function mapRole(db: Db, connectionId: number, group: { groupId: string; groupName: string }, opts: { app?: string; role?: string; risk?: 'low' | 'medium' | 'high' | 'critical'; owner?: string | null } = {}): number {
  return seedRole(db, { app: opts.app ?? 'Payroll', role: opts.role ?? 'User', risk: opts.risk ?? 'medium', owner: opts.owner ?? null, groups: [{ connectionId, ...group }] });
}

export function definition(over: Partial<z.input<typeof campaignDefinitionInput>>, now: Date): CampaignDefinition {
  const { scope, ...rest } = over;
  return campaignDefinitionInput.parse({
    name: 'Q3 review',
    scope: scope ?? {},
    reviewers: { stage1: { kind: 'manager' }, fallback: 'fallback@example.com' },
    dueAt: new Date(now.getTime() + 14 * DAY).toISOString(),
    ...rest,
  });
}
