// Channels of the catalog area, merged into shared/contract.ts: apps and
// roles, role -> IdP group mappings with their health, suggestions from the
// snapshot, coverage of app-assigned groups, CSV/XLSX import and export.
import { z } from 'zod';
import { read, write } from './channel.js';
import type { GroupManagedBy, Page } from './domain.js';
import type { CatalogApp, CatalogRole, DurationOption, MappingProblem, RiskTier } from './governance.js';

const RISKS = ['low', 'medium', 'high', 'critical'] as const satisfies readonly RiskTier[];
const DURATIONS = ['permanent', '1h', '6h', '24h', '7d', '30d', 'custom'] as const satisfies readonly DurationOption[];

/** Longest custom duration a role may allow: 5 years, in minutes. */
export const MAX_CUSTOM_MINUTES = 5 * 366 * 24 * 60;

const id = z.number().int().positive();
export const catalogEmail = z.string().trim().toLowerCase().pipe(z.email('not an e-mail address'));
/** An optional e-mail: '' and null both mean "none". */
const optionalEmail = z
  .union([z.literal('').transform(() => null), z.null(), catalogEmail])
  .default(null);

export const approvalStepInput = z
  .object({
    kind: z.enum(['manager', 'app-owner', 'named']),
    /** For 'named': who may decide. */
    approvers: z.array(catalogEmail).max(50).optional(),
  })
  .strict();

export const approvalPolicyInput = z
  .object({
    autoApprove: z.boolean(),
    steps: z.array(approvalStepInput).max(5, 'at most 5 approval steps'),
    requireEndDateFor: z.array(z.string().trim().toLowerCase().min(1).max(40)).max(10),
    pendingTimeoutHours: z.number().int().min(1, 'at least 1 hour').max(24 * 90, 'at most 90 days (2160 hours)'),
    onTimeout: z.enum(['expire', 'escalate']),
    escalateTo: z.array(catalogEmail).max(20),
  })
  .strict();

export const saveAppInput = z
  .object({
    /** Present: update that app; absent: create one. */
    id: id.optional(),
    name: z.string().trim().min(1, 'an app name is required').max(100, 'at most 100 characters'),
    description: z.string().trim().max(2000).default(''),
    owner: optionalEmail,
  })
  .strict();
export type SaveAppInput = z.infer<typeof saveAppInput>;

export const saveRoleInput = z
  .object({
    /** Present: update that role; absent: create one in appId. */
    id: id.optional(),
    appId: id,
    name: z.string().trim().min(1, 'a role name is required').max(100, 'at most 100 characters'),
    description: z.string().trim().max(2000).default(''),
    risk: z.enum(RISKS),
    /** Omitted: defaultPolicyFor(risk) for a new role, the stored policy for an existing one. */
    policy: approvalPolicyInput.optional(),
    /** Omitted: defaultDurationsFor(risk) for a new role, the stored ones for an existing one. */
    durations: z.array(z.enum(DURATIONS)).min(1, 'pick at least one allowed duration').optional(),
    defaultDuration: z.enum(DURATIONS).optional(),
    /** Longest custom duration, in minutes; required when durations include 'custom'. */
    maxDurationMinutes: z.number().int().positive('must be a positive number of minutes').max(MAX_CUSTOM_MINUTES, 'at most 5 years').nullable().optional(),
    owner: optionalEmail,
    requestable: z.boolean().default(true),
  })
  .strict();
export type SaveRoleInput = z.infer<typeof saveRoleInput>;

/** The allowed durations and default a new role of each risk starts with. */
export function defaultDurationsFor(risk: RiskTier): { durations: DurationOption[]; defaultDuration: DurationOption } {
  switch (risk) {
    case 'low':
      return { durations: ['24h', '7d', '30d', 'permanent'], defaultDuration: 'permanent' };
    case 'medium':
      return { durations: ['24h', '7d', '30d', 'permanent'], defaultDuration: '30d' };
    case 'high':
      return { durations: ['1h', '24h', '7d', '30d'], defaultDuration: '7d' };
    case 'critical':
      return { durations: ['1h', '6h', '24h'], defaultDuration: '1h' };
  }
}

const mappingRef = z.object({ roleId: id, connectionId: id, groupId: z.string().trim().min(1).max(200) }).strict();

export const acceptSuggestionInput = z
  .object({
    appName: z.string().trim().min(1, 'an app name is required').max(100),
    description: z.string().trim().max(2000).default(''),
    owner: optionalEmail,
    /** The IdP app it came from (kept on a new catalog app). */
    source: z.object({ connectionId: id, appId: z.string().min(1).max(200) }).strict().nullable().default(null),
    roles: z
      .array(
        z
          .object({
            name: z.string().trim().min(1, 'a role name is required').max(100),
            risk: z.enum(RISKS),
            groups: z.array(z.object({ connectionId: id, groupId: z.string().min(1).max(200) }).strict()).min(1, 'a role needs at least one group').max(200),
          })
          .strict(),
      )
      .min(1, 'pick at least one role')
      .max(100),
  })
  .strict();
export type AcceptSuggestionInput = z.infer<typeof acceptSuggestionInput>;

/** A catalog role's problem with one mapped group, with the sentence an admin reads. */
export type MappingIssue = { kind: MappingProblem; message: string };

/** An IdP group as the mapper's right-hand pane shows it. */
export type CatalogGroupRow = {
  connectionId: number;
  connectionName: string;
  id: string;
  name: string;
  description: string | null;
  type: string;
  managedBy: GroupManagedBy;
  managedByName: string | null;
  memberCount: number;
  /** Roles this group is already mapped to. */
  mappedTo: { roleId: number; label: string }[];
  /** Why provisioning into this group can't be automatic (rule, dynamic, external), if so. */
  problems: MappingIssue[];
};

export type SuggestedGroup = {
  connectionId: number;
  connectionName: string;
  /** The IdP app whose assignment suggested it. */
  appId: string;
  groupId: string;
  groupName: string;
  memberCount: number;
  managedBy: GroupManagedBy;
  problems: MappingIssue[];
};

export type SuggestedRole = {
  name: string;
  risk: RiskTier;
  /** The catalog role of that name, when the app already has it (accepting adds mappings). */
  existingRoleId: number | null;
  groups: SuggestedGroup[];
};

export type CatalogSuggestion = {
  /** Stable key (the app name, lower case). */
  key: string;
  appName: string;
  /** The catalog app of the same name, if any: accepting merges into it. */
  existingAppId: number | null;
  sources: { connectionId: number; connectionName: string; appId: string; label: string }[];
  roles: SuggestedRole[];
};

export type CatalogListing = {
  apps: CatalogApp[];
  /** Mappings with at least one problem, across the catalog. */
  problemCount: number;
  /** True when at least one IdP connection has a synced snapshot (else: "sync first"). */
  hasSnapshot: boolean;
};

export type CatalogRoleDetail = CatalogRole & {
  appOwner: string | null;
  /** Requests ever made for it (a role with requests can't be deleted). */
  requestCount: number;
  openRequestCount: number;
};

export type CoverageGroup = {
  groupId: string;
  groupName: string;
  memberCount: number;
  managedBy: GroupManagedBy;
  roles: { roleId: number; label: string }[];
  dismissed: boolean;
};

export type CoverageApp = {
  connectionId: number;
  connectionName: string;
  appId: string;
  label: string;
  status: string;
  mapped: number;
  unmapped: number;
  groups: CoverageGroup[];
};

export type CoverageReport = {
  apps: CoverageApp[];
  totals: { apps: number; groups: number; mapped: number; unmapped: number; fullyCovered: number };
};

export type CatalogImportError = { row: number; field: string | null; message: string };

export type CatalogImportResult =
  | { ok: true; rows: number; appsCreated: number; appsUpdated: number; rolesCreated: number; rolesUpdated: number; mappingsAdded: number }
  | { ok: false; rows: number; errors: CatalogImportError[] };

const fileFormat = z.enum(['csv', 'xlsx']);
/** Base64 of at most ~20 MB of file. */
const base64 = z.string().max(28_000_000, 'the file is too large (20 MB at most)').regex(/^[A-Za-z0-9+/=\r\n]*$/, 'not base64');

export const catalogChannels = {
  /** The whole catalog: apps, their roles and each role's mapped groups with their health. */
  'catalog:list': read<CatalogListing>()(z.object({ search: z.string().max(200).default('') }).strict()),
  /** One role with its mappings, its app's owner and how many requests use it. */
  'catalog:role': read<CatalogRoleDetail>()(z.object({ id }).strict()),
  /** Creates or updates a catalog app (name, description, owner). */
  'catalog:saveApp': write<CatalogApp>()(saveAppInput),
  /** Deletes an app with its roles; refused while any of its roles has requests. */
  'catalog:deleteApp': write<{ deleted: true }>()(z.object({ id }).strict()),
  /** Creates or updates a role: risk, approval policy, durations, owner, requestable. */
  'catalog:saveRole': write<CatalogRoleDetail>()(saveRoleInput),
  /** Deletes a role and its mappings; refused when it has requests (make it not requestable instead). */
  'catalog:deleteRole': write<{ deleted: true }>()(z.object({ id }).strict()),
  /** Maps a synced IdP group to a role (again: refreshes the remembered group name). */
  'catalog:map': write<CatalogRoleDetail>()(mappingRef),
  /** Removes one group from a role. */
  'catalog:unmap': write<CatalogRoleDetail>()(mappingRef),
  /** Catalog entries proposed from IdP apps and their assigned groups, by app. */
  'catalog:suggestions': read<{ suggestions: CatalogSuggestion[]; dismissed: number }>()(z.object({}).strict()),
  /** Creates (or merges into) the app, its roles and their mappings from a (possibly edited) suggestion. */
  'catalog:acceptSuggestion': write<CatalogApp>()(acceptSuggestionInput),
  /** Hides suggested app-group pairs for good (kept across syncs). */
  'catalog:dismissSuggestion': write<{ dismissed: number }>()(
    z
      .object({
        items: z.array(z.object({ connectionId: id, appId: z.string().min(1).max(200), groupId: z.string().min(1).max(200) }).strict()).min(1).max(1000),
      })
      .strict(),
  ),
  /** Brings every dismissed suggestion back. */
  'catalog:restoreDismissed': write<{ restored: number }>()(z.object({}).strict()),
  /** Per IdP app, which assigned groups are mapped to a catalog role and which are not. */
  'catalog:coverage': read<CoverageReport>()(z.object({ connectionId: id.optional() }).strict()),
  /** A page of synced IdP groups for the mapper: member count, who manages it, where it is mapped. */
  'catalog:groups': read<Page<CatalogGroupRow>>()(
    z
      .object({
        search: z.string().max(200).default(''),
        connectionId: id.optional(),
        unmappedOnly: z.boolean().default(false),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
  ),
  /** The catalog as a CSV or XLSX file (one row per app, role and mapped group). */
  'catalog:export': read<{ filename: string; format: 'csv' | 'xlsx'; contentBase64: string; rows: number }>()(
    z.object({ format: fileFormat }).strict(),
  ),
  /** Imports a CSV/XLSX catalog: every row validated first; any bad row and nothing is imported. */
  'catalog:import': write<CatalogImportResult>()(z.object({ format: fileFormat, contentBase64: base64 }).strict()),
} as const;
