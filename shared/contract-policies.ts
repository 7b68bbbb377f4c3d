// Birthright policies (issue 13), merged into shared/contract.ts: what a
// person gets because of who they are. A policy is conditions on a person's
// attributes (from their HR record when they have one, else their IdP
// profile), the catalog roles it grants, a mode (monitor: evaluated and
// reported; enforce: acted on), versions, per-person exceptions, the what-if
// of an edit before it is saved, and a second operator's approval when an
// enforced change is large or touches a critical role. Policies as code: the
// same definitions as YAML (`latchkey policy export|import`).
import { z } from 'zod';
import { read, write } from './channel.js';

/** The attributes a condition may test (YAML and the condition builder use these names). */
export const POLICY_ATTRIBUTES = ['department', 'title', 'location', 'employment_type', 'status', 'manager', 'start_date', 'end_date'] as const;
export type PolicyAttribute = (typeof POLICY_ATTRIBUTES)[number];

/**
 * A person's status as policies see it, whichever source it came from: HR's
 * active / pending (hired, not started) / terminated, and the IdP's account
 * states folded into the same words (STAGED → pending, SUSPENDED or an Entra
 * account switched off → suspended, DEPROVISIONED → terminated).
 */
export const PERSON_STATUSES = ['active', 'pending', 'suspended', 'terminated'] as const;
export type PersonStatus = (typeof PERSON_STATUSES)[number];

export const CONDITION_OPS = ['equals', 'in', 'starts_with', 'matches', 'exists'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/**
 * A condition: all of / any of (nested), or one test of an attribute.
 * Text comparisons ignore case and surrounding spaces; `matches` is a
 * regular expression (JavaScript syntax, case-insensitive) that must match
 * somewhere in the value (anchor it with ^…$ for the whole value).
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { attribute: PolicyAttribute; op: 'equals' | 'starts_with' | 'matches'; value: string }
  | { attribute: PolicyAttribute; op: 'in'; value: string[] }
  | { attribute: PolicyAttribute; op: 'exists'; value: boolean };

/** A role the policy grants: permanently (days null) or for that many days from when it is granted. */
export type PolicyGrant = { roleId: number; days: number | null };
export const POLICY_MODES = ['monitor', 'enforce'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** What a policy says; one version of it. */
export type PolicyDefinition = {
  name: string;
  description: string;
  when: Condition;
  grants: PolicyGrant[];
  /** Days a mover keeps roles this policy no longer gives them (default 7). */
  graceDays: number;
  mode: PolicyMode;
};

export const DEFAULT_GRACE_DAYS = 7;
export const DEFAULT_APPROVAL_PEOPLE = 50;

const id = z.number().int().positive();
const attribute = z.enum(POLICY_ATTRIBUTES);
const value = z.string().max(500);

export const conditionInput: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionInput).max(200) }).strict(),
    z.object({ any: z.array(conditionInput).max(200) }).strict(),
    z.object({ attribute, op: z.enum(['equals', 'starts_with', 'matches']), value }).strict(),
    z.object({ attribute, op: z.literal('in'), value: z.array(value).max(1000) }).strict(),
    z.object({ attribute, op: z.literal('exists'), value: z.boolean() }).strict(),
  ]),
);

export const policyDefinitionInput = z
  .object({
    name: z.string().trim().min(1, 'a policy needs a name').max(200),
    description: z.string().max(2000).default(''),
    when: conditionInput,
    grants: z.array(z.object({ roleId: id, days: z.number().int().min(1).max(3650).nullable().default(null) }).strict()).min(1, 'a policy grants at least one role').max(100),
    graceDays: z.number().int().min(0).max(365).default(DEFAULT_GRACE_DAYS),
    mode: z.enum(POLICY_MODES).default('monitor'),
  })
  .strict();

/** One problem in a policy file or editor text, with its line (1-based) and column. */
export type PolicyYamlError = { line: number; column: number; message: string };

/** A role as a policy shows it. */
export type PolicyRoleRef = { roleId: number; label: string; risk: string; days: number | null };

export type PolicyState = 'active' | 'awaiting-approval';

export type PolicyRow = {
  id: number;
  name: string;
  description: string;
  mode: PolicyMode;
  /** The version in effect (monitored or enforced). */
  version: number;
  /** 'awaiting-approval' while a second operator's approval is pending (the version in effect stays as it was). */
  state: PolicyState;
  roles: PolicyRoleRef[];
  graceDays: number;
  activeExceptions: number;
  updatedAt: string;
};

export type PolicyVersionView = {
  version: number;
  state: 'current' | 'superseded' | 'awaiting-approval' | 'withdrawn';
  createdAt: string;
  createdBy: string;
  channel: string;
  definition: PolicyDefinition;
  /** The definition as YAML (the editor's text and `policy show --version N`). */
  yaml: string;
};

/** The what-if figures a change was judged on (stored with its approval). */
export type WhatIfCounts = { population: number; matchedBefore: number; matchedAfter: number; affectedPeople: number; gains: number; losses: number; criticalRoles: string[] };

export type PolicyApproval = {
  id: number;
  kind: 'enforce' | 'edit';
  version: number;
  requestedBy: string;
  requestedChannel: string;
  requestedAt: string;
  /** Why a second operator must approve (more than N people affected, a critical role). */
  reasons: string[];
  counts: WhatIfCounts;
  state: 'waiting' | 'approved' | 'withdrawn';
  decidedBy: string | null;
  decidedChannel: string | null;
  decidedAt: string | null;
};

export type PolicyException = {
  id: number;
  policyId: number;
  personId: string;
  person: string;
  owner: string;
  reason: string;
  endsAt: string;
  createdAt: string;
  createdBy: string;
  /** False once endsAt has passed (or it was ended early). */
  active: boolean;
};

export type PolicyDetail = PolicyRow & {
  /** The version asked for (the one in effect unless `version` was given). */
  shown: PolicyVersionView;
  versions: { version: number; state: PolicyVersionView['state']; createdAt: string; createdBy: string; channel: string }[];
  approval: PolicyApproval | null;
  exceptions: PolicyException[];
};

/** One person's change in a what-if: a role gained or lost, and the condition that decides it. */
export type WhatIfChange = {
  personId: string;
  name: string;
  email: string | null;
  roleId: number;
  change: 'gain' | 'loss';
  /** The condition that decides it, with the person's value and where it came from (HR record or IdP profile). */
  because: string;
};

export type WhatIfRole = { roleId: number; label: string; risk: string; gains: number; losses: number };

export type PolicyWhatIf = {
  policyId: number | null;
  name: string;
  /** The version compared against (null: a new policy, nobody has anything from it yet). */
  baseVersion: number | null;
  counts: WhatIfCounts;
  roles: WhatIfRole[];
  /** At most `limit` changes, by role, gains first, then by name. */
  changes: WhatIfChange[];
  truncated: boolean;
  /** People left out because of an active exception to this policy. */
  excepted: number;
  /** Enforcing this would need a second operator, and why. */
  needsApproval: boolean;
  approvalReasons: string[];
  /** The engine's time to compute it (ms). */
  ms: number;
};

export type PolicyCheck = { ok: true; definitions: PolicyDefinition[] } | { ok: false; errors: PolicyYamlError[] };
export type PolicyWhatIfResult = { ok: true; whatifs: PolicyWhatIf[] } | { ok: false; errors: PolicyYamlError[] };
export type PolicySaveResult =
  | { ok: true; policy: PolicyRow; outcome: 'created' | 'updated' | 'unchanged' | 'awaiting-approval'; approval: PolicyApproval | null }
  | { ok: false; errors: PolicyYamlError[] };
export type PolicyImportResult =
  | { ok: true; policies: { id: number; name: string; outcome: 'created' | 'updated' | 'unchanged' | 'awaiting-approval' }[] }
  | { ok: false; errors: PolicyYamlError[] };

const yamlText = z.string().max(2_000_000, 'the policy text is too long (2 MB at most)');

export const policiesChannels = {
  /** Every policy with its mode, version in effect and whether a change awaits a second operator. */
  'policies:list': read<PolicyRow[]>()(z.object({}).strict()),
  /** One policy: a version (default: the one in effect) with its YAML, every version, the pending approval, exceptions. */
  'policies:get': read<PolicyDetail>()(z.object({ id, version: id.optional() }).strict()),
  /** Checks policy YAML (one policy or a `policies:` list) and names each problem's line. */
  'policies:check': read<PolicyCheck>()(z.object({ yaml: yamlText }).strict()),
  /** Who would gain and lose which role if this text were saved (against the version in effect), with the deciding condition. */
  'policies:whatif': read<PolicyWhatIfResult>()(z.object({ yaml: yamlText, id: id.optional(), limit: z.number().int().min(0).max(5000).default(500) }).strict()),
  /** Every policy as one YAML file (what `policy export` writes). */
  'policies:export': read<{ yaml: string }>()(z.object({}).strict()),
  /** Saves one policy from YAML (new, or a new version of `id`); enforcing a large change waits for a second operator. */
  'policies:save': write<PolicySaveResult>()(z.object({ yaml: yamlText, id: id.optional() }).strict()),
  /** Monitor (takes effect at once) or enforce (may wait for a second operator). */
  'policies:setMode': write<PolicySaveResult>()(z.object({ id, mode: z.enum(POLICY_MODES) }).strict()),
  /** A second operator approves the change waiting on a policy (never the one who asked for it). */
  'policies:approve': write<PolicyRow>()(z.object({ id }).strict()),
  /** Imports a policy file, all policies or none (matched to stored ones by name). */
  'policies:import': write<PolicyImportResult>()(z.object({ yaml: yamlText }).strict()),
  /** An exception: this person does not get this policy's roles until it ends. */
  'policies:addException': write<PolicyException>()(
    z
      .object({
        policyId: id,
        /** The person: an e-mail or login of one of their accounts, or the Directory's person id. */
        person: z.string().trim().min(1).max(320),
        owner: z.string().trim().min(1, 'an exception needs an owner').max(320),
        reason: z.string().trim().min(1, 'an exception needs a reason').max(2000),
        endsAt: z.string().trim().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date (YYYY-MM-DD or an ISO date-time)'),
      })
      .strict(),
  ),
  /** Ends an exception now. */
  'policies:endException': write<PolicyException>()(z.object({ id }).strict()),
  /** How many people a change may affect before enforcing it needs a second operator. */
  'policies:setApprovalPeople': write<{ approvalPeople: number }>()(z.object({ people: z.number().int().min(0).max(1_000_000) }).strict()),
} as const;
