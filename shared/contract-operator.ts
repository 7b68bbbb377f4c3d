// Channels of the operator area (who is at the console, signed in through
// the IdP), merged into shared/contract.ts.
import { z } from 'zod';
import { read, write } from './channel.js';

/** The signed-in operator: the IdP account the ID token named, matched to the snapshot. Never carries a token. */
export type OperatorSession = {
  connectionId: number;
  connectionName: string;
  idp: 'okta' | 'entra';
  /** The IdP's id for the account: the Okta user id, the Entra object id (oid). */
  subject: string;
  email: string | null;
  name: string;
  signedInAt: string;
  expiresAt: string;
};

/** How this workspace signs operators in. */
export type SignInSettings = {
  /** The Okta or Entra connection whose IdP signs operators in (its org URL / tenant gives the issuer); null: not configured. */
  connectionId: number | null;
  /** The OIDC app's client id (a public client: no secret). */
  clientId: string | null;
  /** How long a session lasts. */
  sessionHours: number;
  /** When true, write channels are refused until an operator is signed in. */
  required: boolean;
};

export type OperatorStatus = {
  settings: SignInSettings;
  /** The connection's name, for the settings view (null when unset or removed). */
  connectionName: string | null;
  session: OperatorSession | null;
  /** A sign-in started and not yet finished: the URL to open. */
  pending: { authorizeUrl: string } | null;
  /** Why the last sign-in failed (cleared by the next attempt). */
  lastError: string | null;
  /** Sandbox workspaces only (every connection on loopback): "Acting as" may name someone per browser session. */
  actingAsAllowed: boolean;
};

export const signInSettingsPatch = z
  .object({
    connectionId: z.number().int().positive().nullable().optional(),
    clientId: z.string().trim().max(200).nullable().optional(),
    sessionHours: z.number().min(0.25).max(24 * 7).optional(),
    required: z.boolean().optional(),
  })
  .strict();
export type SignInSettingsPatch = z.infer<typeof signInSettingsPatch>;

export const operatorChannels = {
  /** Who is signed in and until when, the sign-in settings, a pending sign-in and the last error. */
  'operator:status': read<OperatorStatus>()(z.object({}).strict()),
  /** Starts a sign-in (authorization code + PKCE, loopback redirect): returns the IdP URL to open. Changes the keychain, not the workspace. */
  'operator:signIn': read<{ authorizeUrl: string }>()(z.object({ loginHint: z.string().trim().max(320).optional() }).strict()),
  /** Ends the session (removes it from the keychain). Changes the keychain, not the workspace. */
  'operator:signOut': read<{ signedOut: boolean }>()(z.object({}).strict()),
  /** Changes how operators sign in (connection, client id, session hours, whether sign-in is required). */
  'operator:setSettings': write<SignInSettings>()(signInSettingsPatch),
} as const;
