// A role's policy and durations as stored (JSON in catalog_roles), read
// defensively: a policy with missing keys (an older export, a hand-edited
// CSV) falls back to the tier's default per key, and unknown durations are
// dropped, so neither the catalog nor request routing breaks on old rows.
import { defaultPolicyFor, DURATION_OPTIONS, type ApprovalPolicy, type ApprovalStep, type DurationOption, type RiskTier } from '../../../shared/governance.js';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The stored policy over the tier's default, key by key; e-mails and employee types lower-cased for comparison. */
export function parsePolicy(text: string, risk: RiskTier): ApprovalPolicy {
  const base = defaultPolicyFor(risk);
  const raw = parseJson(text);
  const p = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof ApprovalPolicy, unknown>>;
  const steps: ApprovalStep[] = Array.isArray(p.steps)
    ? p.steps.flatMap((s: unknown): ApprovalStep[] => {
        const step = s as { kind?: unknown; approvers?: unknown } | null;
        if (!step || (step.kind !== 'manager' && step.kind !== 'app-owner' && step.kind !== 'named')) return [];
        return step.kind === 'named'
          ? [{ kind: 'named', approvers: strings(step.approvers).map((e) => e.trim().toLowerCase()).filter(Boolean) }]
          : [{ kind: step.kind }];
      })
    : base.steps;
  const hours = typeof p.pendingTimeoutHours === 'number' && p.pendingTimeoutHours > 0 ? p.pendingTimeoutHours : base.pendingTimeoutHours;
  return {
    autoApprove: typeof p.autoApprove === 'boolean' ? p.autoApprove : base.autoApprove,
    steps,
    requireEndDateFor: (Array.isArray(p.requireEndDateFor) ? strings(p.requireEndDateFor) : base.requireEndDateFor).map((t) => t.trim().toLowerCase()),
    pendingTimeoutHours: hours,
    onTimeout: p.onTimeout === 'escalate' ? 'escalate' : p.onTimeout === 'expire' ? 'expire' : base.onTimeout,
    escalateTo: strings(p.escalateTo).map((e) => e.trim().toLowerCase()).filter(Boolean),
  };
}


/** The stored durations, in the stored order, unknown values left out. */
export function parseDurations(text: string): DurationOption[] {
  return strings(parseJson(text)).filter((d): d is DurationOption => (DURATION_OPTIONS as readonly string[]).includes(d));
}
