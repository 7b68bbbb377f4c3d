// Expands the compact review grid data (reviews:grid, shared/contract-reviews.ts ReviewGridData)
// into the ReviewItemRow objects the grid renders. People, access and grant objects are built
// once and shared by every item that points at them, so 100,000 items cost little more than
// their own few fields.
import type { ReviewGridData, ReviewItemRow } from '../../../shared/contract-reviews.js';

export function expandGrid(data: ReviewGridData): ReviewItemRow[] {
  const people = data.people.map(([connectionId, connectionName, identityId, name, email, status, title, department, managerEmail, managerName, employmentType, lastLogin, created]) => ({
    connectionId,
    connectionName,
    identityId,
    person: { name, email, status, title, department, managerEmail, managerName, employmentType, lastLogin, created },
  }));
  const access = data.access.map(([groupId, groupName, heldVia, viaApps, roleId, roleLabel, risk, appLabel]) => ({ groupId, groupName, heldVia, viaApps, roleId, roleLabel, risk, appLabel }));
  const base = data.jiraBase;
  const grants = data.grants.map(([grantId, requestId, approvers, jiraKey, grantedAt, expiresAt]) => ({
    grantId,
    requestId,
    approvers,
    jiraKey,
    jiraUrl: jiraKey && base ? `${base}/browse/${encodeURIComponent(jiraKey)}` : null,
    grantedAt,
    expiresAt,
  }));
  const out = new Array<ReviewItemRow>(data.items.length);
  for (let k = 0; k < data.items.length; k++) {
    const [id, stage, p, a, g, recommendation, reasons, launchRecommendation, changed, peerPercent, reviewerSource, d, r] = data.items[k] as ReviewGridData['items'][number];
    const who = people[p] as (typeof people)[number];
    out[k] = {
      id,
      campaignId: data.campaignId,
      stage,
      connectionId: who.connectionId,
      connectionName: who.connectionName,
      identityId: who.identityId,
      person: who.person,
      access: access[a] as ReviewItemRow['access'],
      grant: g < 0 ? null : (grants[g] ?? null),
      recommendation,
      reasons: data.reasons[reasons] ?? [],
      changedSinceLaunch: changed === 1,
      launchRecommendation,
      peerPercent,
      reviewer: data.reviewer ?? '',
      reviewerSource,
      decision: d
        ? { decision: d[0], reasonCode: d[1], comment: d[2], keepUntil: d[3], state: d[4], by: d[5], channel: d[6], recordedBy: d[7], appliedByDefault: d[8] === 1, at: d[9] }
        : null,
      remediation: r ? { kind: r[0], status: r[1], grantId: r[2], jobId: r[3], taskId: r[4], verifiedRunId: r[5], verifiedAt: r[6], note: r[7] } : null,
    };
  }
  return out;
}
