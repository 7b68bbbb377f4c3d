// Directory query state (search, filters, sort per tab) and the calls that
// read the snapshot. Query state lives here so it survives opening a detail
// and coming back.
import { create } from 'zustand';
import type { AppQuery, GroupQuery, UserQuery } from '../../../shared/contract.js';
import type {
  AccountRef,
  AppDetail,
  AppRow,
  CorrelationIssue,
  GroupDetail,
  GroupManagedBy,
  GroupRow,
  Page,
  UserDetail,
  UserRow,
} from '../../../shared/domain.js';
import { api } from '../api/client.js';
import type { ObjectRef } from '../lib/router.js';

export type UserSort = UserQuery['sort'];
export type GroupSort = GroupQuery['sort'];
export type AppSort = AppQuery['sort'];
export type SortDir = 'asc' | 'desc';

export type UsersFilter = { search: string; status: string[]; department: string[]; sort: UserSort; dir: SortDir };
export type GroupsFilter = { search: string; managedBy: GroupManagedBy[]; sort: GroupSort; dir: SortDir };
export type AppsFilter = { search: string; sort: AppSort; dir: SortDir };
export type Facets = { statuses: { value: string; count: number }[]; departments: { value: string; count: number }[] };

type DirectoryState = {
  /** One connection's objects, or null: every connection, people merged across IdPs. */
  connectionId: number | null;
  users: UsersFilter;
  groups: GroupsFilter;
  apps: AppsFilter;
  facets: Facets | null;
  facetsError: string | null;
  setConnection: (connectionId: number | null) => void;
  setUsers: (patch: Partial<UsersFilter>) => void;
  setGroups: (patch: Partial<GroupsFilter>) => void;
  setApps: (patch: Partial<AppsFilter>) => void;
  resetUsers: () => void;
  loadFacets: () => Promise<void>;
};

const initialUsers: UsersFilter = { search: '', status: [], department: [], sort: 'displayName', dir: 'asc' };
const initialGroups: GroupsFilter = { search: '', managedBy: [], sort: 'name', dir: 'asc' };
const initialApps: AppsFilter = { search: '', sort: 'label', dir: 'asc' };

export const useDirectoryStore = create<DirectoryState>()((set, get) => ({
  connectionId: null,
  users: initialUsers,
  groups: initialGroups,
  apps: initialApps,
  facets: null,
  facetsError: null,
  setConnection: (connectionId) => {
    if (connectionId === get().connectionId) return;
    // Statuses and departments differ per connection; the old ones would filter the new list wrongly.
    set((s) => ({ connectionId, facets: null, users: { ...s.users, status: [], department: [] } }));
    void get().loadFacets();
  },
  setUsers: (patch) => set((s) => ({ users: { ...s.users, ...patch } })),
  setGroups: (patch) => set((s) => ({ groups: { ...s.groups, ...patch } })),
  setApps: (patch) => set((s) => ({ apps: { ...s.apps, ...patch } })),
  resetUsers: () => set({ users: initialUsers }),
  loadFacets: async () => {
    const connectionId = get().connectionId;
    try {
      const facets = await api.call('directory:userFacets', connectionId === null ? {} : { connectionId });
      if (get().connectionId !== connectionId) return; // the picker moved on while this was loading
      set({ facets, facetsError: null });
    } catch (error) {
      set({ facetsError: error instanceof Error ? error.message : String(error) });
    }
  },
}));

/** The list queries carry the picked connection; omitted, the engine lists every connection (people merged). */
type Scoped = { connectionId: number | null };
const scoped = ({ connectionId }: Scoped): { connectionId?: number } => (connectionId === null ? {} : { connectionId });

/** Reads of the snapshot. Each takes an AbortSignal so a newer query cancels an older one. */
export const directory = {
  users: (f: UsersFilter & Scoped, offset: number, limit: number, signal?: AbortSignal): Promise<Page<UserRow>> =>
    api.call(
      'directory:users',
      { search: f.search.trim(), status: f.status, department: f.department, sort: f.sort, dir: f.dir, offset, limit, ...scoped(f) },
      { signal },
    ),
  groups: (f: GroupsFilter & Scoped, offset: number, limit: number, signal?: AbortSignal): Promise<Page<GroupRow>> =>
    api.call(
      'directory:groups',
      { search: f.search.trim(), managedBy: f.managedBy, sort: f.sort, dir: f.dir, offset, limit, ...scoped(f) },
      { signal },
    ),
  apps: (f: AppsFilter & Scoped, offset: number, limit: number, signal?: AbortSignal): Promise<Page<AppRow>> =>
    api.call('directory:apps', { search: f.search.trim(), sort: f.sort, dir: f.dir, offset, limit, ...scoped(f) }, { signal }),
  correlationIssues: (signal?: AbortSignal): Promise<CorrelationIssue[]> => api.call('directory:correlationIssues', {}, { signal }),
  accounts: (ref: ObjectRef, signal?: AbortSignal): Promise<AccountRef[]> => api.call('directory:accounts', ref, { signal }),
  groupMembers: (ref: ObjectRef, search: string, offset: number, limit: number, signal?: AbortSignal): Promise<Page<UserRow>> =>
    api.call('directory:groupMembers', { ...ref, search: search.trim(), offset, limit }, { signal }),
  user: (ref: ObjectRef, signal?: AbortSignal): Promise<UserDetail> => api.call('directory:user', ref, { signal }),
  group: (ref: ObjectRef, signal?: AbortSignal): Promise<GroupDetail> => api.call('directory:group', ref, { signal }),
  app: (ref: ObjectRef, signal?: AbortSignal): Promise<AppDetail> => api.call('directory:app', ref, { signal }),
};
