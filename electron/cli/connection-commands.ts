// `latchkey connection add|list|test|scope|edit|remove`: the IdP and Jira
// connections of a workspace from the command line (Okta with an API token
// or an OAuth service app, Entra with a client secret or certificate, Jira
// Cloud with an API token). Parsing and output only; the engine does the
// work (connections/connections.ts, governance/connection-removal.ts).
// Credentials come from environment variables or PEM files and go straight
// to the keychain: they never appear in any output.
import fs from 'node:fs';
import { addEntraConnectionInput, addJiraConnectionInput, addOktaConnectionInput, describeZodError, syncScopeInput } from '../../shared/contract.js';
import { emptyScope } from '../../shared/domain.js';
import { addConnection, getConnectionRecord, setConnectionScope, setSuspendLeavers, toSummary } from '../engine/connections/connections.js';
import { testConnection } from '../engine/connections/connection-test.js';
import { describeScope } from '../engine/connections/scope.js';
import { UserError, type EngineContext } from '../engine/context.js';
import { removeConnection } from '../engine/governance/connection-removal.js';
import { setJiraStatuses } from '../engine/jira/jira-site.js';
import { connectionSummaries } from '../engine/sync/sync-runs.js';
import { parseCommandArgs as parse, tokenFromEnv, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const CONNECTION_USAGE = `  connection add okta --name NAME --org-url URL (--token-env VAR | --client-id ID --private-key-file PEM [--scopes a,b])
                      [--budget-share 0.5]
  connection add NAME --kind entra --tenant ID --client-id ID (--secret-env VAR | --certificate-file PEM)
                      [--authority URL] [--graph-url URL] [--ca-file PEM]
  connection add NAME --kind jira --site URL --email E --token-env VAR --project KEY [--service-desk ID --request-type ID]
                      [--fields beneficiary=customfield_N,access=customfield_N,duration=customfield_N,approvers=customfield_N]
                      [--statuses waiting=NAME,approved=NAME,done=NAME,declined=NAME]
                                          Jira Cloud: where requests are recorded; with a JSM request type, its portal requests are imported
  connection edit NAME --statuses waiting=NAME,...   Jira: the workflow status names issues are moved through (a name left out: its default)
  connection edit NAME --suspend-leavers on|off     Okta / Entra: suspend a leaver's account too (off by default)
  connection list [--json]
  connection test NAME [--json]
  connection scope NAME [--group-prefix a,b] [--group-pattern RE] [--group-types T,...] [--apps A,...] [--clear] [--json]
                                          show or limit what a connection syncs (the next sync is then full)
  connection remove NAME
`;

/** Verbs that only read the workspace (allowed on --read-only). */
export const CONNECTION_READ_VERBS: readonly string[] = ['list'];

export async function runConnectionCommand(ctx: EngineContext, args: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'add': {
      const { values, positionals } = parse(
        rest,
        {
          name: { type: 'string' },
          'org-url': { type: 'string' },
          'token-env': { type: 'string' },
          'client-id': { type: 'string' },
          'private-key-file': { type: 'string' },
          scopes: { type: 'string' },
          'budget-share': { type: 'string' },
          json: { type: 'boolean' },
          // Entra (also `connection add NAME --kind entra ...`):
          kind: { type: 'string' },
          tenant: { type: 'string' },
          'secret-env': { type: 'string' },
          'certificate-file': { type: 'string' },
          authority: { type: 'string' },
          'graph-url': { type: 'string' },
          'ca-file': { type: 'string' },
          // Jira (`connection add NAME --kind jira ...`):
          site: { type: 'string' },
          email: { type: 'string' },
          project: { type: 'string' },
          'service-desk': { type: 'string' },
          'request-type': { type: 'string' },
          fields: { type: 'string' },
          statuses: { type: 'string' },
        },
        1,
      );
      // Two spellings: `connection add KIND --name NAME ...` and `connection add NAME --kind KIND ...`.
      const kind = values.kind ?? positionals[0];
      const name = values.kind !== undefined ? (values.name ?? positionals[0]) : values.name;
      if (kind === 'entra') return addEntraFromCli(ctx, { ...values, ...(name !== undefined ? { name } : {}) }, io);
      if (kind === 'jira') return addJiraFromCli(ctx, { ...values, ...(name !== undefined ? { name } : {}) }, io);
      if (kind !== 'okta') throw new UsageError(kind ? `unsupported connection kind "${kind}" (supported: okta, entra, jira)` : 'connection add needs a kind: okta, entra or jira');
      if (!values.name) throw new UsageError('--name is required');
      if (!values['org-url']) throw new UsageError('--org-url is required');
      const hasToken = values['token-env'] !== undefined;
      const hasOauth = values['client-id'] !== undefined || values['private-key-file'] !== undefined;
      if (hasToken === hasOauth) throw new UsageError('give either --token-env VAR or --client-id ID --private-key-file PEM');
      let auth: unknown;
      if (hasToken) {
        auth = { type: 'token', token: tokenFromEnv(values['token-env'] ?? '', io.env) };
      } else {
        if (!values['client-id'] || !values['private-key-file']) throw new UsageError('OAuth needs both --client-id and --private-key-file');
        auth = {
          type: 'oauth',
          clientId: values['client-id'],
          privateKeyPem: readKeyFile(values['private-key-file']),
          ...(values.scopes ? { scopes: values.scopes.split(/[,\s]+/).filter(Boolean) } : {}),
        };
      }
      const parsed = addOktaConnectionInput.safeParse({
        kind: 'okta',
        name: values.name,
        orgUrl: values['org-url'],
        auth,
        ...(values['budget-share'] ? { budgetShare: Number(values['budget-share']) } : {}),
      });
      if (!parsed.success) throw new UserError(describeZodError(parsed.error).replace(/^orgUrl: /, '--org-url: '), 'bad-input');
      const c = await addConnection(ctx, parsed.data);
      if (values.json) io.stdout(`${JSON.stringify(toSummary(c, null))}\n`);
      else io.stdout(`added connection "${c.name}" (#${c.id}, ${c.baseUrl}); credential stored in the OS keychain\n`);
      return 0;
    }
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } });
      const list = connectionSummaries(ctx.db);
      if (values.json) io.stdout(`${JSON.stringify(list)}\n`);
      else if (list.length === 0) io.stdout('no connections (add one with: latchkey connection add okta --name NAME --org-url URL --token-env VAR)\n');
      else
        for (const c of list) {
          const last = c.lastSync ? `last sync ${c.lastSync.status} ${c.lastSync.finishedAt ?? c.lastSync.startedAt}` : 'never synced';
          io.stdout(`${c.name}\t${c.kind}\t${c.baseUrl}\t${c.authType}\t${last}\n`);
        }
      return 0;
    }
    case 'test': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, 1);
      const name = positionals[0];
      if (!name) throw new UsageError('connection test needs a connection name');
      const c = getConnectionRecord(ctx.db, name);
      const result = await testConnection(ctx, c.id);
      if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
      else if (result.ok) {
        io.stdout(
          `ok: ${result.orgName ?? result.orgUrl} — read ${result.canRead ? 'yes' : 'no'}, write ${result.canWrite === null ? 'unknown' : result.canWrite ? 'yes' : 'no'}\n`,
        );
        for (const d of result.details) io.stdout(`  ${d}\n`);
      }
      if (!result.ok) {
        io.stderr(`latchkey: error: ${result.error ?? 'connection test failed'}\n`);
        return 1;
      }
      return 0;
    }
    case 'scope': {
      const { values, positionals } = parse(
        rest,
        {
          'group-prefix': { type: 'string' },
          'group-pattern': { type: 'string' },
          'group-types': { type: 'string' },
          apps: { type: 'string' },
          clear: { type: 'boolean' },
          json: { type: 'boolean' },
        },
        1,
      );
      const name = positionals[0];
      if (!name) throw new UsageError('connection scope needs a connection name');
      const c = getConnectionRecord(ctx.db, name);
      const list = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter(Boolean));
      const given = ['group-prefix', 'group-pattern', 'group-types', 'apps'].some((k) => values[k as keyof typeof values] !== undefined);
      let scope = c.settings.scope;
      if (values.clear || given) {
        const base = values.clear ? emptyScope() : scope;
        const parsed = syncScopeInput.safeParse({
          groups: {
            prefixes: list(values['group-prefix']) ?? base.groups.prefixes,
            pattern: values['group-pattern'] !== undefined ? values['group-pattern'] || null : base.groups.pattern,
            types: list(values['group-types']) ?? base.groups.types,
          },
          apps: { include: list(values.apps) ?? base.apps.include },
        });
        if (!parsed.success) throw new UsageError(`invalid scope: ${describeZodError(parsed.error)}`);
        scope = setConnectionScope(ctx, c.id, parsed.data).settings.scope;
      }
      if (values.json) io.stdout(`${JSON.stringify(scope)}\n`);
      else io.stdout(`${c.name}: ${describeScope(scope)}${values.clear || given ? ' (the next sync is a full one)' : ''}\n`);
      return 0;
    }
    case 'edit': {
      const { values, positionals } = parse(rest, { statuses: { type: 'string' }, 'suspend-leavers': { type: 'string' }, json: { type: 'boolean' } }, 1);
      const name = positionals[0];
      if (!name) throw new UsageError('connection edit needs a connection name');
      const suspend = values['suspend-leavers'];
      if (suspend !== undefined) {
        if (suspend !== 'on' && suspend !== 'off') throw new UsageError('--suspend-leavers takes on or off');
        const c = setSuspendLeavers(ctx, getConnectionRecord(ctx.db, name).id, suspend === 'on');
        if (values.json) io.stdout(`${JSON.stringify({ suspendLeavers: c.settings.suspendLeavers === true })}\n`);
        else io.stdout(`${c.name}: leavers' accounts ${suspend === 'on' ? 'are suspended too' : 'are not suspended (their access is removed)'}\n`);
        if (values.statuses === undefined) return 0;
      }
      if (values.statuses === undefined) throw new UsageError('connection edit: nothing to change (--statuses waiting=NAME,approved=NAME,done=NAME,declined=NAME, or --suspend-leavers on|off)');
      const c = getConnectionRecord(ctx.db, name);
      const statuses = setJiraStatuses(ctx, c.id, jiraStatusesFlag(values.statuses));
      if (values.json) io.stdout(`${JSON.stringify({ statuses })}\n`);
      else io.stdout(`${c.name}: status names ${Object.entries(statuses).map(([k, v]) => `${k}=${v}`).join(', ')} (test the connection to check them against the workflow)\n`);
      return 0;
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, 1);
      const name = positionals[0];
      if (!name) throw new UsageError('connection remove needs a connection name');
      const c = getConnectionRecord(ctx.db, name);
      await removeConnection(ctx, c.id);
      io.stdout(`removed connection "${c.name}" and its keychain entry\n`);
      return 0;
    }
    default:
      throw new UsageError(verb ? `unknown connection verb "${verb}" (add, list, test, scope, edit, remove)` : 'connection needs a verb: add, list, test, scope, edit, remove');
  }
}

/** `connection add entra`: an app registration with client credentials (a secret from the environment, or a certificate PEM file). */
async function addEntraFromCli(
  ctx: EngineContext,
  values: { name?: string; tenant?: string; 'client-id'?: string; 'secret-env'?: string; 'certificate-file'?: string; authority?: string; 'graph-url'?: string; 'ca-file'?: string; 'budget-share'?: string; json?: boolean },
  io: CliIo,
): Promise<number> {
  if (!values.name) throw new UsageError('a connection name is required (connection add NAME --kind entra ...)');
  if (!values.tenant) throw new UsageError('--tenant is required (the directory id or a verified domain)');
  if (!values['client-id']) throw new UsageError('--client-id is required (the application id of the app registration)');
  const hasSecret = values['secret-env'] !== undefined;
  if (hasSecret === (values['certificate-file'] !== undefined)) throw new UsageError('give either --secret-env VAR or --certificate-file PEM');
  const auth = hasSecret
    ? { type: 'secret', clientSecret: tokenFromEnv(values['secret-env'] ?? '', io.env, '--secret-env') }
    : { type: 'certificate', certificatePem: readPemFile(values['certificate-file'] ?? '', '--certificate-file') };
  const parsed = addEntraConnectionInput.safeParse({
    kind: 'entra',
    name: values.name,
    tenantId: values.tenant,
    clientId: values['client-id'],
    auth,
    ...(values.authority ? { authorityHost: values.authority } : {}),
    ...(values['graph-url'] ? { graphUrl: values['graph-url'] } : {}),
    ...(values['ca-file'] ? { caPem: readPemFile(values['ca-file'], '--ca-file') } : {}),
    ...(values['budget-share'] ? { budgetShare: Number(values['budget-share']) } : {}),
  });
  if (!parsed.success) {
    const flags: Record<string, string> = { authorityHost: '--authority', graphUrl: '--graph-url', caPem: '--ca-file', tenantId: '--tenant', clientId: '--client-id', 'auth.certificatePem': '--certificate-file' };
    throw new UserError(describeZodError(parsed.error).replace(/^([\w.]+): /, (m, field: string) => (flags[field] ? `${flags[field]}: ` : m)), 'bad-input');
  }
  const c = await addConnection(ctx, parsed.data);
  if (values.json) io.stdout(`${JSON.stringify(toSummary(c, null))}\n`);
  else io.stdout(`added connection "${c.name}" (#${c.id}, Entra tenant ${parsed.data.tenantId}, ${c.baseUrl}); credential stored in the OS keychain\n`);
  return 0;
}

/** `--fields beneficiary=customfield_1,access=...`: the portal request type's custom field ids. */
function jiraFieldsFlag(value: string | undefined): Record<string, string> {
  const names: Record<string, string> = { beneficiary: 'beneficiaryEmail', access: 'access', duration: 'duration', approvers: 'approvers' };
  const out: Record<string, string> = {};
  for (const pair of (value ?? '').split(',').filter(Boolean)) {
    const [k = '', v = ''] = pair.split('=').map((x) => x.trim());
    const key = names[k];
    if (!key) throw new UsageError(`--fields: unknown field "${k}" (fields: ${Object.keys(names).join(', ')})`);
    out[key] = v;
  }
  return out;
}

/** `--statuses waiting=Open,done=Closed`: the workflow status names (each optional; an unknown key or an empty name is refused). */
function jiraStatusesFlag(value: string): Record<string, string> {
  const keys = ['waiting', 'approved', 'done', 'declined'];
  const out: Record<string, string> = {};
  for (const pair of value.split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf('=');
    const k = (at < 0 ? pair : pair.slice(0, at)).trim();
    const v = at < 0 ? '' : pair.slice(at + 1).trim();
    if (!keys.includes(k)) throw new UsageError(`--statuses: unknown status "${k}" (statuses: ${keys.join(', ')})`);
    if (v === '') throw new UsageError(`--statuses: ${k} has no name (e.g. ${k}=Open)`);
    out[k] = v;
  }
  return out;
}

/** `connection add NAME --kind jira`: a Jira Cloud site, the account e-mail and an API token from the environment, the project (and JSM request type). */
async function addJiraFromCli(
  ctx: EngineContext,
  values: { name?: string; site?: string; email?: string; 'token-env'?: string; project?: string; 'service-desk'?: string; 'request-type'?: string; fields?: string; statuses?: string; json?: boolean },
  io: CliIo,
): Promise<number> {
  if (!values.name) throw new UsageError('a connection name is required (connection add NAME --kind jira ...)');
  if (!values.site) throw new UsageError('--site is required (e.g. https://your-site.atlassian.net)');
  if (!values.email) throw new UsageError('--email is required (the Atlassian account the API token belongs to)');
  if (!values['token-env']) throw new UsageError('--token-env VAR is required (the variable holding the API token)');
  if (!values.project) throw new UsageError('--project KEY is required (where requests are recorded, e.g. ACC)');
  const parsed = addJiraConnectionInput.safeParse({
    kind: 'jira',
    name: values.name,
    siteUrl: values.site,
    email: values.email,
    apiToken: tokenFromEnv(values['token-env'], io.env),
    projectKey: values.project,
    serviceDeskId: values['service-desk'] ?? null,
    requestTypeId: values['request-type'] ?? null,
    fields: jiraFieldsFlag(values.fields),
    ...(values.statuses !== undefined ? { statuses: jiraStatusesFlag(values.statuses) } : {}),
  });
  if (!parsed.success) {
    const flags: Record<string, string> = { siteUrl: '--site', email: '--email', projectKey: '--project', serviceDeskId: '--service-desk', requestTypeId: '--request-type', fields: '--fields', statuses: '--statuses' };
    throw new UserError(describeZodError(parsed.error).replace(/^([\w.]+): /, (m, field: string) => (flags[field] ? `${flags[field]}: ` : m)), 'bad-input');
  }
  const c = await addConnection(ctx, parsed.data);
  if (values.json) io.stdout(`${JSON.stringify(toSummary(c, null))}\n`);
  else {
    const jsm = parsed.data.requestTypeId ? `, importing JSM request type ${parsed.data.requestTypeId} of service desk ${parsed.data.serviceDeskId ?? ''}` : '';
    io.stdout(`added connection "${c.name}" (#${c.id}, Jira ${c.baseUrl}, project ${parsed.data.projectKey}${jsm}); credential stored in the OS keychain\n`);
  }
  return 0;
}

function readPemFile(file: string, flag: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'bad-input');
  }
}

function readKeyFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read --private-key-file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'bad-input');
  }
}
