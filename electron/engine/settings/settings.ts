// Workspace settings (the `settings` table, JSON values): who operates this
// console, how early expiry notices go out, how often JSM is polled.
import type { SignInSettings, SignInSettingsPatch } from '../../../shared/contract-operator.js';
import type { SettingsPatch, SettingsView } from '../../../shared/contract-requests.js';
import { connectionRecordOrNull } from '../connections/connections.js';
import { appendAudit, type AuditInput } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { nameOfAddress } from '../directory/people-lookup.js';
import { busiestManagerEmail } from '../directory/snapshot-lookups.js';

export type WorkspaceSettings = {
  /** The e-mail of the person using this console: their approvals are "My approvals"; they can't approve their own requests. */
  operatorEmail: string | null;
  /** Hours before expiry that a notice is recorded (and written to Jira). */
  expiryNoticeHours: number;
  /** How operators sign in through the IdP (engine/operator/). */
  signIn: SignInSettings;
};

export const DEFAULT_SIGN_IN: SignInSettings = { connectionId: null, clientId: null, sessionHours: 8, required: false };

export const DEFAULT_SETTINGS: WorkspaceSettings = { operatorEmail: null, expiryNoticeHours: 24, signIn: DEFAULT_SIGN_IN };

export function getSettings(db: Db): WorkspaceSettings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const r of rows) if (r.key in DEFAULT_SETTINGS) out[r.key] = JSON.parse(r.value) as unknown;
  // A value stored by an older version lacks newer fields: the defaults fill them.
  out.signIn = { ...DEFAULT_SIGN_IN, ...(out.signIn as Partial<SignInSettings>) };
  return out as WorkspaceSettings;
}

/** Writes the given keys; call inside the transaction that audits the change. */
export function putSettings(db: Db, patch: Partial<WorkspaceSettings>): WorkspaceSettings {
  const put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  for (const [k, v] of Object.entries(patch)) if (k in DEFAULT_SETTINGS && v !== undefined) put.run(k, JSON.stringify(v));
  return getSettings(db);
}

/** The settings as the console shows them: the operator with their name in the snapshot. */
export function settingsView(db: Db): SettingsView {
  const s = getSettings(db);
  return { operatorEmail: s.operatorEmail, operatorName: nameOfAddress(db, s.operatorEmail), expiryNoticeHours: s.expiryNoticeHours };
}

/**
 * Changes settings, audited. The operator must be a live person in the
 * snapshot: the address decides whose approvals are "mine" and what counts as
 * self-approval, so a typo must not silently make every queue empty.
 */
export function updateSettings(ctx: EngineContext, patch: SettingsPatch): SettingsView {
  const { db } = ctx;
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: settings cannot be changed here', 'read-only');
  const next: Partial<WorkspaceSettings> = {};
  if (patch.operatorEmail !== undefined) {
    const email = patch.operatorEmail === null || patch.operatorEmail.trim() === '' ? null : patch.operatorEmail.trim().toLowerCase();
    if (email !== null && nameOfAddress(db, email) === null) {
      throw new UserError(`operator e-mail: nobody active with the e-mail or login "${email}" in the snapshot (sync first, or check the spelling)`, 'bad-input');
    }
    next.operatorEmail = email;
  }
  if (patch.expiryNoticeHours !== undefined) next.expiryNoticeHours = patch.expiryNoticeHours;
  db.transaction(() => {
    const before = getSettings(db);
    putSettings(db, next);
    appendAudit(
      db,
      { actor: ctx.actor, action: 'settings.changed', targetType: 'settings', targetId: 'workspace', details: { before: { ...before }, after: { ...getSettings(db) } } },
      ctx.clock.now(),
    );
  }).immediate();
  return settingsView(db);
}

/**
 * The demo workspace's operator, once its first sync has landed: the active
 * person with the most direct reports (deterministic for a seed), so "My
 * approvals" fills with their team's requests. Never overrides a choice.
 */
export function chooseDemoOperator(ctx: EngineContext): string | null {
  const { db } = ctx;
  if (ctx.readOnly || getSettings(db).operatorEmail !== null) return null;
  const pick = busiestManagerEmail(db);
  if (pick === null) return null;
  db.transaction(() => {
    putSettings(db, { operatorEmail: pick });
    appendAudit(db, { actor: ctx.actor, action: 'settings.changed', targetType: 'settings', targetId: 'workspace', details: { before: { operatorEmail: null }, after: { operatorEmail: pick }, reason: 'demo workspace: a manager from the sandbox organisation' } }, ctx.clock.now());
  }).immediate();
  return pick;
}

/**
 * Changes how operators sign in, audited. The connection must be an Okta or
 * Entra one (its org URL or tenant is the issuer); requiring sign-in needs a
 * connection and a client id, or nobody could ever write again.
 */
export function updateSignInSettings(ctx: EngineContext, patch: SignInSettingsPatch, audit: { actor: string; channel?: AuditInput['channel'] } = { actor: ctx.actor }): SignInSettings {
  const { db } = ctx;
  const before = getSettings(db).signIn;
  const next: SignInSettings = { ...before };
  if (patch.connectionId !== undefined) {
    if (patch.connectionId !== null) {
      const c = connectionRecordOrNull(db, patch.connectionId);
      if (!c) throw new UserError(`sign-in connection: no connection ${patch.connectionId}`, 'not-found');
      if (c.kind !== 'okta' && c.kind !== 'entra') throw new UserError(`sign-in connection: "${c.name}" is a ${c.kind} connection; operators sign in through Okta or Entra`, 'bad-input');
    }
    next.connectionId = patch.connectionId;
  }
  if (patch.clientId !== undefined) next.clientId = patch.clientId === null || patch.clientId === '' ? null : patch.clientId;
  if (patch.sessionHours !== undefined) next.sessionHours = patch.sessionHours;
  if (patch.required !== undefined) next.required = patch.required;
  if (next.required && (next.connectionId === null || next.clientId === null)) {
    throw new UserError('sign-in cannot be required before a connection and the OIDC app\'s client id are set (nobody could sign in to change it back)', 'bad-input');
  }
  db.transaction(() => {
    putSettings(db, { signIn: next });
    appendAudit(db, { actor: audit.actor, ...(audit.channel ? { channel: audit.channel } : {}), action: 'settings.changed', targetType: 'settings', targetId: 'sign-in', details: { before: { ...before }, after: { ...next } } }, ctx.clock.now());
  }).immediate();
  return next;
}
