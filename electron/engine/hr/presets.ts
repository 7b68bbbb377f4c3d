// Column presets for HR systems' CSV exports: which header names each system
// writes for the fields Latchkey keeps. Headers compare case-insensitively
// with surrounding spaces trimmed. A header the preset does not know is an
// error (it may be the employee id under another name), unless `--map
// "Header=field"` says what it is, or `--map "Header=-"` says to ignore it.
//
// Where the names come from:
// - BambooHR: the employee field names of its API / custom reports
//   (employeeNumber, workEmail, jobTitle, hireDate, terminationDate,
//   supervisorEId, ... as listed by the WebService::BambooHR field list on
//   metacpan and Workato's BambooHR trigger docs: "Supervisor E ID" is the
//   supervisor's employee number), and the labels a custom report export
//   writes for the same fields ("Employee #", "Work Email", "Job Title",
//   "Hire Date", "Termination Date", "Supervisor EID").
// - Workday: the custom report ("Worker Data") columns Faros AI's
//   workday-source requires (Employee_ID, Full_Name, Email, Manager_ID,
//   Manager_Name, Start_Date, Termination_Date, Location, Employee_Type,
//   Team_ID, Team_Name), and Business_Title / Hire_Date as SailPoint's
//   Workday connector names the worker's business title and hire date.
// - Rippling: the report variables Lattice's "Import your organization from
//   Rippling" guide has admins pick (Employee name, Legal first name, Legal
//   last name, Work email, Title, Manager - Work email, Employment status,
//   Start date, Department), with Employee ID, Work location, Employment type
//   and End date from the same Employment information group.
// - HiBob: the People data field ids (root.email, root.displayName,
//   work.department, work.title, work.site, work.startDate,
//   work.employeeIdInCompany, work.reportsToIdInCompany,
//   internal.terminationDate, internal.status, payroll.employment.type, as in
//   Fivetran's HiBob schema: email, display_name, employee_id_in_company,
//   reports_to_id_in_company, ...) and the labels Bob's people export writes
//   (Employee ID, Display name, Email, Department, Job title, Site, Start date,
//   Reports to email, Termination date, Employment type, Lifecycle status).
// - generic: Latchkey's own field names (HR_FIELDS), the template to use for
//   anything else.
import { HR_FIELDS, type HrField, type HrImportError, type HrPreset } from '../../../shared/contract-hr.js';

type Aliases = Readonly<Partial<Record<HrField, readonly string[]>>>;

const BAMBOOHR: Aliases = {
  employee_id: ['employeeNumber', 'Employee #', 'Employee Number'],
  email: ['workEmail', 'Work Email'],
  name: ['displayName', 'Display Name', 'fullName1'],
  first_name: ['firstName', 'First Name'],
  last_name: ['lastName', 'Last Name'],
  department: ['department', 'Department'],
  title: ['jobTitle', 'Job Title'],
  location: ['location', 'Location'],
  employment_type: ['employmentHistoryStatus', 'Employment Status'],
  manager_email: ['supervisorEmail', 'Supervisor Email'],
  manager_employee_id: ['supervisorEId', 'Supervisor EID', 'Supervisor E ID'],
  start_date: ['hireDate', 'Hire Date'],
  end_date: ['terminationDate', 'Termination Date'],
  status: ['status', 'Status'],
};

const WORKDAY: Aliases = {
  employee_id: ['Employee_ID', 'Employee ID', 'Worker_ID'],
  email: ['Email', 'Email_-_Work', 'Email - Work', 'Work_Email'],
  name: ['Full_Name', 'Worker', 'Legal_Name'],
  first_name: ['First_Name', 'Legal_First_Name'],
  last_name: ['Last_Name', 'Legal_Last_Name'],
  department: ['Team_Name', 'Supervisory_Organization', 'Cost_Center'],
  title: ['Business_Title', 'Job_Title'],
  location: ['Location'],
  employment_type: ['Employee_Type', 'Worker_Type'],
  manager_email: ['Manager_Email'],
  manager_employee_id: ['Manager_ID'],
  start_date: ['Start_Date', 'Hire_Date'],
  end_date: ['Termination_Date'],
  status: ['Worker_Status', 'Active_Status'],
};
/** Workday columns kept by the report but not stored (the manager's name is read from their own row; team ids are Workday's). */
const WORKDAY_IGNORED = ['Manager_Name', 'Team_ID'];

const RIPPLING: Aliases = {
  employee_id: ['Employee ID', 'Employee number'],
  email: ['Work email'],
  name: ['Employee name', 'Full name'],
  first_name: ['Legal first name', 'Preferred first name'],
  last_name: ['Legal last name'],
  department: ['Department'],
  title: ['Title', 'Job title'],
  location: ['Work location'],
  employment_type: ['Employment type'],
  manager_email: ['Manager - Work email', 'Manager work email', 'Manager email'],
  manager_employee_id: ['Manager - Employee ID', 'Manager employee ID'],
  start_date: ['Start date'],
  end_date: ['End date', 'Termination date'],
  status: ['Employment status'],
};

const HIBOB: Aliases = {
  employee_id: ['work.employeeIdInCompany', 'Employee ID'],
  email: ['root.email', 'Email'],
  name: ['root.displayName', 'Display name'],
  first_name: ['root.firstName', 'First name'],
  last_name: ['root.surname', 'Last name'],
  department: ['work.department', 'Department'],
  title: ['work.title', 'Job title'],
  location: ['work.site', 'Site'],
  employment_type: ['payroll.employment.type', 'Employment type'],
  manager_email: ['work.reportsTo.email', 'Reports to email'],
  manager_employee_id: ['work.reportsToIdInCompany', 'Reports to ID'],
  start_date: ['work.startDate', 'Start date'],
  end_date: ['internal.terminationDate', 'Termination date'],
  status: ['internal.status', 'internal.lifecycleStatus', 'Lifecycle status', 'Status'],
};
/** HiBob's own object id (not the company's employee id) and the manager's display name: read, not stored. */
const HIBOB_IGNORED = ['root.id', 'Reports to'];

const GENERIC: Aliases = Object.fromEntries(HR_FIELDS.map((f) => [f, [f]]));

const PRESETS: Readonly<Record<HrPreset, { aliases: Aliases; ignored: readonly string[] }>> = {
  bamboohr: { aliases: BAMBOOHR, ignored: [] },
  workday: { aliases: WORKDAY, ignored: WORKDAY_IGNORED },
  rippling: { aliases: RIPPLING, ignored: [] },
  hibob: { aliases: HIBOB, ignored: HIBOB_IGNORED },
  generic: { aliases: GENERIC, ignored: [] },
};

const norm = (h: string): string => h.trim().toLowerCase();

/** The header names a preset reads, per field (for help text and templates). */
export function presetColumns(preset: HrPreset): Readonly<Partial<Record<HrField, readonly string[]>>> {
  return PRESETS[preset].aliases;
}

/** Each column's field (null: ignored), or the header's problems (row 1). */
export function resolveColumns(
  header: readonly string[],
  preset: HrPreset,
  map: Readonly<Record<string, HrField | '-'>>,
): { fields: (HrField | null)[]; errors: HrImportError[] } {
  const known = new Map<string, HrField | null>();
  for (const [field, names] of Object.entries(PRESETS[preset].aliases) as [HrField, readonly string[]][]) for (const n of names) known.set(norm(n), field);
  for (const n of PRESETS[preset].ignored) known.set(norm(n), null);
  const mapped = new Map<string, HrField | null>();
  for (const [h, f] of Object.entries(map)) mapped.set(norm(h), f === '-' ? null : f);

  const errors: HrImportError[] = [];
  const fields: (HrField | null)[] = [];
  const seen = new Map<HrField, string>();
  for (const raw of header) {
    const h = norm(raw);
    const field = mapped.has(h) ? (mapped.get(h) ?? null) : known.get(h);
    if (field === undefined) {
      if (h === '') errors.push({ row: 1, column: raw, message: `row 1: a column has no header (name it, or drop the column)` });
      else errors.push({ row: 1, column: raw.trim(), message: `row 1, column "${raw.trim()}": unknown column for the ${preset} preset (map it with --map "${raw.trim()}=FIELD", or ignore it with --map "${raw.trim()}=-")` });
      fields.push(null);
      continue;
    }
    if (field !== null) {
      const before = seen.get(field);
      if (before !== undefined) errors.push({ row: 1, column: raw.trim(), message: `row 1, column "${raw.trim()}": ${field} is already read from column "${before}"` });
      seen.set(field, raw.trim());
    }
    fields.push(field);
  }
  for (const h of mapped.keys()) {
    if (!header.some((raw) => norm(raw) === h)) errors.push({ row: 1, column: h, message: `row 1: --map names a column "${h}" the file does not have` });
  }
  if (errors.length === 0 && !seen.has('employee_id') && !seen.has('email')) {
    errors.push({ row: 1, column: null, message: 'row 1: no employee id or e-mail column: HR records are matched to people by one of them' });
  }
  if (errors.length === 0 && !seen.has('start_date')) {
    errors.push({ row: 1, column: null, message: `row 1: no start date column (the ${preset} preset reads ${(PRESETS[preset].aliases.start_date ?? []).map((n) => `"${n}"`).join(' or ')})` });
  }
  return { fields, errors };
}

/** Parses `--map "A=field,B=-"` (or repeated --map flags) into header -> field. */
export function parseMapOption(values: readonly string[]): Record<string, HrField | '-'> {
  const out: Record<string, HrField | '-'> = {};
  for (const value of values) {
    for (const part of value.split(',')) {
      if (part.trim() === '') continue;
      const eq = part.lastIndexOf('=');
      const col = eq < 0 ? '' : part.slice(0, eq).trim();
      const field = eq < 0 ? '' : part.slice(eq + 1).trim();
      if (col === '' || field === '') throw new Error(`--map "${part}": expected COLUMN=FIELD (or COLUMN=- to ignore it)`);
      if (field !== '-' && !(HR_FIELDS as readonly string[]).includes(field)) throw new Error(`--map "${part}": "${field}" is not a field (${HR_FIELDS.join(', ')}, or - to ignore)`);
      out[col] = field as HrField | '-';
    }
  }
  return out;
}
