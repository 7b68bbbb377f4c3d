// Why a role's mapped group can't be provisioned automatically, in words an
// admin acts on. Mappings keep the group's name as it was when mapped and
// have no foreign key to the snapshot (migration 3), so a group deleted or
// renamed in the IdP stays visible here as a broken mapping with its reason
// instead of silently vanishing with the next sync.
// A connection whose last test said the credential can't change membership
// flags its mappings too (connection-read-only).
import type { MappingIssue } from '../../../shared/contract-catalog.js';
import type { GroupManagedBy } from '../../../shared/domain.js';

export type LiveGroup = {
  name: string;
  type: string;
  managedBy: GroupManagedBy;
  managedByName: string | null;
};

const quote = (s: string): string => `"${s}"`;

/** Problems of a group as it is now (rule, dynamic, external): also shown before a group is mapped. */
export function groupProblems(group: LiveGroup, connectionName: string, connectionKind: string): MappingIssue[] {
  const g = quote(group.name);
  if (group.managedBy === 'rule') {
    if (group.type === 'Dynamic' || connectionKind === 'entra') {
      const rule = group.managedByName ? ` (rule: ${group.managedByName})` : '';
      return [
        {
          kind: 'dynamic',
          message:
            `${g} is an Entra dynamic group${rule}: its members come from the membership rule and Latchkey cannot add anyone. ` +
            'Pick a group with assigned membership, or requests for this role become manual tasks.',
        },
      ];
    }
    const rule = group.managedByName ? `the group rule ${group.managedByName.split(', ').map(quote).join(', ')}` : 'an Okta group rule';
    return [
      {
        kind: 'rule-managed',
        message:
          `Membership of ${g} is managed by ${rule} in ${connectionName}; Latchkey cannot add members: ` +
          'pick a directly managed group or requests become manual tasks.',
      },
    ];
  }
  if (group.managedBy === 'external') {
    const source = group.managedByName ?? 'a directory outside the IdP';
    return [
      {
        kind: 'externally-managed',
        message:
          `${g} is managed by ${source} (imported into ${connectionName}); Latchkey cannot change its membership there: ` +
          `pick a group managed in ${connectionName}, or requests become manual tasks done in ${source}.`,
      },
    ];
  }
  return [];
}

/**
 * Every problem of one mapping. `connection` null: the connection was removed;
 * `group` null: the group is not in that connection's live snapshot.
 */
export function mappingProblems(
  mapping: { connectionId: number; groupId: string; groupName: string },
  connection: { name: string; kind: string; canWrite?: boolean | null } | null,
  group: LiveGroup | null,
): MappingIssue[] {
  const mapped = quote(mapping.groupName);
  if (!connection) {
    return [
      {
        kind: 'connection-removed',
        message:
          `The connection (#${mapping.connectionId}) that ${mapped} belongs to was removed from this workspace: ` +
          'nothing can be provisioned through it. Map a group from a current connection and unmap this one.',
      },
    ];
  }
  if (!group) {
    return [
      {
        kind: 'group-deleted',
        message:
          `${mapped} (id ${mapping.groupId}) is no longer in the last sync of ${connection.name}: it was deleted in the IdP or is outside the sync scope. ` +
          'Requests for this role cannot be provisioned to it: map a replacement group and unmap this one.',
      },
    ];
  }
  const out: MappingIssue[] = [];
  if (connection.canWrite === false) {
    out.push({
      kind: 'connection-read-only',
      message:
        `The last test of ${connection.name} found its credential cannot change group membership, so ${mapped} cannot be provisioned automatically: ` +
        'grant the write permission (Okta: okta.groups.manage; Entra: GroupMember.ReadWrite.All) and test the connection again, or requests become manual tasks.',
    });
  }
  if (group.name !== mapping.groupName) {
    out.push({
      kind: 'group-renamed',
      message:
        `Renamed in ${connection.name} from ${mapped} to ${quote(group.name)} since it was mapped. Provisioning follows the group id, ` +
        'so it still works: check the group still means this role, then map it again to accept the new name.',
    });
  }
  out.push(...groupProblems(group, connection.name, connection.kind));
  return out;
}
