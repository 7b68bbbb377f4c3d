// The columns of the two spreadsheet imports, the catalog (CSV or XLSX) and
// requests (CSV), defined once: the importers read headers and check required
// columns from these lists, the console shows them before a file is chosen,
// and the downloadable template is generated from them. Nothing else lists
// the columns, so the help, the template and the importer cannot disagree.
//
// Rows are counted the way a spreadsheet numbers them: the header is row 1,
// the first data row is row 2, and an empty row still takes its number.
import { DURATION_OPTIONS, RISK_TIERS } from './governance.js';

export type ImportColumn = {
  /** The header as the template writes it. */
  name: string;
  /** Other headers accepted for the same column (compared case-insensitively). */
  aliases?: readonly string[];
  /** true: the header must have the column; a string: when a row must fill it ("on a row with a role"); false: optional. */
  required: boolean | string;
  /** Allowed values or format, and the default when left empty. */
  format: string;
  /** A value as it would be written; the template's example row. */
  example: string;
};

/** The sentence both import panels and both importers' messages rely on. */
export const ROW_NUMBERING = 'Row 1 is the header; rows are numbered as your spreadsheet numbers them, so the first data row is row 2.';

const FIXED_DURATIONS = DURATION_OPTIONS.filter((d) => d !== 'custom');

/** Requests, one per row (requests-csv.ts). */
export const REQUEST_IMPORT_COLUMNS = [
  {
    name: 'beneficiary',
    aliases: ['email', 'beneficiary_email', 'beneficiary email', 'for'],
    required: true,
    format: 'E-mail or login of an active person in the synced directory',
    example: 'ada@example.com',
  },
  { name: 'app', aliases: ['application'], required: false, format: 'Catalog app name; leave the column out to write the role as "App / Role"', example: 'Figma' },
  { name: 'role', required: true, format: 'Catalog role name (or "App / Role" when there is no app column); the role must be requestable', example: 'Editor' },
  {
    name: 'duration',
    required: true,
    format: `${FIXED_DURATIONS.join(', ')}, or a length like 90m, 2h, 10d; within the role's allowed durations and maximum`,
    example: '7d',
  },
  { name: 'justification', aliases: ['why', 'reason'], required: true, format: 'Why the access is needed (free text, recorded and written to Jira)', example: 'Design review of the Q3 launch' },
  { name: 'requester', aliases: ['requested_by', 'requested by'], required: false, format: 'E-mail of who asks; empty: the operator', example: 'owen@example.com' },
  {
    name: 'ends',
    aliases: ['ends_at', 'end_date', 'end date', 'end'],
    required: false,
    format: 'End date, ISO 8601: 2026-12-31 (the end of that day, UTC) or 2026-12-31T17:00:00Z; contractors and partners need one for permanent access',
    example: '2026-12-31',
  },
] as const satisfies readonly ImportColumn[];

/** The catalog: one row per app, role and mapped group (catalog-io.ts), as the export writes it. */
export const CATALOG_IMPORT_COLUMNS = [
  { name: 'app', required: true, format: 'App name, up to 100 characters; every row names its app', example: 'Figma' },
  { name: 'app_description', required: false, format: 'Free text; the same on every row of the app', example: 'Design tool' },
  { name: 'app_owner', required: false, format: 'E-mail; decides "app owner" approval steps', example: 'design-lead@example.com' },
  { name: 'role', required: true, format: 'Role name, up to 100 characters; empty on the one row of an app without roles', example: 'Editor' },
  { name: 'role_description', required: false, format: 'Free text', example: 'Edits design files' },
  { name: 'role_owner', required: false, format: 'E-mail; decides "app owner" steps of this role instead of the app owner', example: 'figma-admin@example.com' },
  { name: 'risk', required: 'on a row with a role', format: RISK_TIERS.join(', '), example: 'medium' },
  { name: 'requestable', required: false, format: 'yes or no (default yes)', example: 'yes' },
  { name: 'auto_approve', required: false, format: 'yes or no (default: yes for low risk only)', example: 'no' },
  {
    name: 'approval_steps',
    required: false,
    format: 'Steps in order, separated by >: manager, app-owner, or named: a@example.com, b@example.com (default from the risk)',
    example: 'manager > app-owner',
  },
  { name: 'require_end_date_for', required: false, format: 'Employee types, comma-separated (default contractor, partner; none for low risk)', example: 'contractor, partner' },
  { name: 'pending_timeout_hours', required: false, format: 'Whole hours from 1 to 2160 (default 168)', example: '168' },
  { name: 'on_timeout', required: false, format: 'expire or escalate (default expire)', example: 'escalate' },
  { name: 'escalate_to', required: false, format: 'E-mails, comma-separated; who decides once a request is escalated', example: 'it-lead@example.com' },
  { name: 'durations', required: false, format: `Comma-separated: ${DURATION_OPTIONS.join(', ')} (default from the risk)`, example: '24h, 7d, custom' },
  { name: 'default_duration', required: false, format: 'One of the allowed durations', example: '7d' },
  { name: 'max_duration_minutes', required: false, format: 'Whole minutes, the longest custom duration', example: '10080' },
  { name: 'connection', required: 'on a row with a group', format: 'IdP connection name, as on the Connections page', example: 'Acme Okta' },
  { name: 'group_id', required: false, format: "The group's id in the IdP; or give group_name", example: '00g1abcd2EFGH3ijk4x7' },
  { name: 'group_name', required: false, format: "The group's name; enough when no other group in that connection has it", example: 'app-figma-editors' },
] as const satisfies readonly ImportColumn[];

/** "Yes", "No", or the condition ("On a row with a role"). */
export function requiredWords(c: ImportColumn): string {
  if (c.required === true) return 'Yes';
  if (c.required === false) return 'No';
  return c.required.charAt(0).toUpperCase() + c.required.slice(1);
}

/** A cell as a spreadsheet reads it back: quoted when it holds a comma, a quote, a line break or edge spaces. */
function csvCell(v: string): string {
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The template: the header row and one example row, with a BOM so Excel reads it as UTF-8. */
export function templateCsv(columns: readonly ImportColumn[]): string {
  const lines = [columns.map((c) => csvCell(c.name)).join(','), columns.map((c) => csvCell(c.example)).join(',')];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
