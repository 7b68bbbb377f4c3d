// Workspace settings (the `settings` table, JSON values): how early expiry
// notices go out, how operators sign in. Who operates the console is not a
// workspace setting: it is the operator signed in through the IdP
// (engine/operator/), or in a sandbox who the browser session acts as.
import type { SignInSettings, SignInSettingsPatch } from '../../../shared/contract-operator.js';
import type { SettingsPatch, SettingsView } from '../../../shared/contract-requests.js';
import { connectionRecordOrNull } from '../connections/connections.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';

export type WorkspaceSettings = {
  /** Hours before expiry that a notice is recorded (and written to Jira). */
  expiryNoticeHours: number;
  /** How operators sign in through the IdP (engine/operator/). */
  signIn: SignInSettings;
  /** Hours a leaver's access may take to be removed (the evidence workbook's Leavers sheet flags the later ones). */
  leaverDeadlineHours: number;
  /** People a birthright policy change may affect before enforcing it needs a second operator (engine/policies/). */
  policyApprovalPeople: number;
};

export const DEFAULT_SIGN_IN: SignInSettings = { connectionId: null, clientId: null, sessionHours: 8, required: false };

export const DEFAULT_SETTINGS: WorkspaceSettings = { expiryNoticeHours: 24, signIn: DEFAULT_SIGN_IN, leaverDeadlineHours: 24, policyApprovalPeople: 50 };

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

/** The settings as the console shows them. */
export function settingsView(db: Db): SettingsView {
  const s = getSettings(db);
  return { expiryNoticeHours: s.expiryNoticeHours, leaverDeadlineHours: s.leaverDeadlineHours };
}

/** Changes settings, audited. */
export function updateSettings(ctx: EngineContext, patch: SettingsPatch): SettingsView {
  const { db } = ctx;
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: settings cannot be changed here', 'read-only');
  const next: Partial<WorkspaceSettings> = {};
  if (patch.expiryNoticeHours !== undefined) next.expiryNoticeHours = patch.expiryNoticeHours;
  if (patch.leaverDeadlineHours !== undefined) next.leaverDeadlineHours = patch.leaverDeadlineHours;
  db.transaction(() => {
    const before = getSettings(db);
    putSettings(db, next);
    appendAudit(
      db,
      { actor: ctx.actor, channel: ctx.channel, action: 'settings.changed', targetType: 'settings', targetId: 'workspace', details: { before: { ...before }, after: { ...getSettings(db) } } },
      ctx.clock.now(),
    );
  }).immediate();
  return settingsView(db);
}

/**
 * Changes how operators sign in, audited. The connection must be an Okta or
 * Entra one (its org URL or tenant is the issuer); requiring sign-in needs a
 * connection and a client id, or nobody could ever write again.
 */
export function updateSignInSettings(ctx: EngineContext, patch: SignInSettingsPatch): SignInSettings {
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
    appendAudit(db, { actor: ctx.actor, channel: ctx.channel, action: 'settings.changed', targetType: 'settings', targetId: 'sign-in', details: { before: { ...before }, after: { ...next } } }, ctx.clock.now());
  }).immediate();
  return next;
}
