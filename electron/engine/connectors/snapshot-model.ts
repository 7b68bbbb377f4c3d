// The normalised shape every connector produces and the snapshot writer
// stores: one row type per snapshot table, independent of the IdP.
import type { GroupRow } from '../../../shared/domain.js';

export type IdentityRecord = {
  id: string;
  login: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  status: string;
  department: string | null;
  title: string | null;
  /** The manager's IdP id once resolved; until then whatever the profile said (see managerRef). */
  managerId: string | null;
  location: string | null;
  employeeType: string | null;
  employeeNumber: string | null;
  lastLogin: string | null;
  created: string | null;
  lastUpdated: string | null;
  /** The IdP's profile object, verbatim, as JSON (readers flatten it for display). */
  profile: string;
};

/** How a user names their manager when it is not (yet) an IdP id: a login, email or employee number. */
export type ManagerRef = { identityId: string; ref: string };

/** A group as the snapshot stores it: the row the UI sees, without what is derived at read time. */
export type GroupRecord = Omit<GroupRow, 'connectionId' | 'memberCount'> & { lastUpdated: string | null };

export type AppRecord = {
  id: string;
  name: string;
  label: string;
  status: string;
  signOnMode: string | null;
};

export type AppAssignmentRecord = { appId: string; groupId: string; priority: number | null };

/**
 * An owner of a group as the IdP names it (Okta's Group Owners API, Graph's
 * group `owners`): a user, or in Okta a group whose members own it. Other
 * owner kinds (Graph service principals) are not stored: no person to ask.
 */
export type GroupOwnerRecord = { groupId: string; ownerId: string; ownerType: 'user' | 'group' };

export type SnapshotCounts = {
  users: number;
  groups: number;
  memberships: number;
  apps: number;
  appAssignments: number;
};
