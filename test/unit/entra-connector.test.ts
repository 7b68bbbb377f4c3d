// The Entra connector's pure parts: Graph JSON -> our model, folding delta
// pages, AADSTS messages, Retry-After, the throttling gate, and the last
// middleware's refusals (another origin) and retries (with a fake transport).
import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { graphOrigin, hasPermission } from '../../electron/engine/connectors/entra/entra-connector.js';
import { describeAadsts, EntraError, redact } from '../../electron/engine/connectors/entra/entra-errors.js';
import { classifyGroupType, groupAssignments, groupFromDelta, groupFromGraph, identityFromProfile, managerOf, memberUserIds, userProfile } from '../../electron/engine/connectors/entra/entra-normalise.js';
import { CallState, createThrottleGate, PinnedHttpsHandler, retryAfterMs, type GraphHttpStats } from '../../electron/engine/connectors/entra/graph-transport.js';
import type { Transport } from '../../electron/engine/connectors/okta/request-executor.js';
import { mergeGroupDelta, mergeUserDelta } from '../../electron/engine/sync/entra-delta.js';

const USER = 'u1';

describe('Graph JSON -> snapshot records', () => {
  it('names group types by origin, dynamic groups managed by their rule, AD-synced ones externally', () => {
    expect(classifyGroupType({ groupTypes: ['DynamicMembership'], membershipRule: '(user.department -eq "Sales")', securityEnabled: true })).toEqual({ type: 'Dynamic', managedBy: 'rule', managedByName: '(user.department -eq "Sales")' });
    expect(classifyGroupType({ groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false })).toMatchObject({ type: 'Microsoft365', managedBy: 'direct' });
    expect(classifyGroupType({ groupTypes: [], securityEnabled: true, mailEnabled: false })).toMatchObject({ type: 'Security' });
    expect(classifyGroupType({ groupTypes: [], securityEnabled: true, mailEnabled: true })).toMatchObject({ type: 'MailEnabledSecurity' });
    expect(classifyGroupType({ groupTypes: [], securityEnabled: false, mailEnabled: true })).toMatchObject({ type: 'Distribution' });
    expect(classifyGroupType({ groupTypes: [], securityEnabled: true, onPremisesSyncEnabled: true })).toEqual({ type: 'Security', managedBy: 'external', managedByName: 'Active Directory' });
    expect(groupFromGraph({ displayName: 'x' })).toBeNull();
  });

  it('keeps what a partial delta answer leaves out', () => {
    const existing = groupFromGraph({ id: 'g', displayName: 'Old', description: 'd', groupTypes: ['DynamicMembership'], membershipRule: 'r1' });
    expect(groupFromDelta({ id: 'g' }, existing)).toEqual(existing);
    expect(groupFromDelta({ id: 'g', displayName: 'New', membershipRule: 'r2' }, existing)).toMatchObject({ name: 'New', description: 'd', type: 'Dynamic', managedByName: 'r2' });
    expect(groupFromDelta({ id: 'g', groupTypes: [] }, existing)).toMatchObject({ type: 'Security', managedBy: 'direct', managedByName: null });

    const previous = userProfile({ id: USER, userPrincipalName: 'a@x.example', department: 'Sales', signInActivity: { lastSignInDateTime: '2026-01-02T03:04:05Z' } }, null);
    const merged = userProfile({ id: USER, jobTitle: 'Lead' }, previous);
    expect(merged).toMatchObject({ userPrincipalName: 'a@x.example', department: 'Sales', jobTitle: 'Lead', signInActivity: { lastSignInDateTime: '2026-01-02T03:04:05Z' } });
    // Same keys in the same order, whatever the answer's order: full and delta store identical profiles.
    expect(Object.keys(merged)).toEqual(Object.keys(userProfile({ jobTitle: 'Lead', id: USER }, null)));
    expect(identityFromProfile(merged, 'boss')).toMatchObject({ id: USER, login: 'a@x.example', title: 'Lead', status: 'ACTIVE', managerId: 'boss', lastLogin: '2026-01-02T03:04:05Z' });
    expect(identityFromProfile({ ...merged, accountEnabled: false }, null)?.status).toBe('DISABLED');
  });

  it('reads the manager from $expand or manager@delta (a removal clears it; absent means unchanged)', () => {
    expect(managerOf({ manager: { '@odata.type': '#microsoft.graph.user', id: 'm1' } })).toBe('m1');
    expect(managerOf({ 'manager@delta': [{ id: 'm2' }] })).toBe('m2');
    expect(managerOf({ 'manager@delta': [{ id: 'm1', '@removed': { reason: 'deleted' } }] })).toBeNull();
    expect(managerOf({ id: 'x' })).toBeUndefined();
  });

  it('keeps user members only, and one assignment per group of an app', () => {
    expect(memberUserIds([{ '@odata.type': '#microsoft.graph.user', id: 'a' }, { '@odata.type': '#microsoft.graph.group', id: 'g' }, { '@odata.type': '#microsoft.graph.user', id: 'b', '@removed': { reason: 'deleted' } }])).toEqual({ added: ['a'], removed: ['b'] });
    expect(groupAssignments('app', [{ principalType: 'Group', principalId: 'g1' }, { principalType: 'Group', principalId: 'g1' }, { principalType: 'User', principalId: 'u' }])).toEqual([{ appId: 'app', groupId: 'g1', priority: null }]);
  });
});

describe('folding delta pages', () => {
  it('merges members@delta across pages by group id; the last word on a member wins; duplicates fold', () => {
    const groups: Parameters<typeof mergeGroupDelta>[0] = new Map();
    const ref = (id: string, removed = false): Record<string, unknown> => ({ '@odata.type': '#microsoft.graph.user', id, ...(removed ? { '@removed': { reason: 'deleted' } } : {}) });
    mergeGroupDelta(groups, [{ id: 'g', displayName: 'G', 'members@delta': [ref('a'), ref('b')] }]);
    mergeGroupDelta(groups, [{ id: 'g', 'members@delta': [ref('b', true), ref('c')] }, { id: 'g', 'members@delta': [ref('c')] }, { id: 'h', '@removed': { reason: 'changed' } }]);
    expect(groups.get('g')).toEqual({ removed: false, props: { id: 'g', displayName: 'G' }, members: new Map([['a', true], ['b', false], ['c', true]]) });
    expect(groups.get('h')).toMatchObject({ removed: true });

    const users: Parameters<typeof mergeUserDelta>[0] = new Map();
    mergeUserDelta(users, [{ id: 'u', jobTitle: 'A' }, { id: 'v', '@removed': { reason: 'changed' } }]);
    mergeUserDelta(users, [{ id: 'u', department: 'D' }]);
    expect(users.get('u')).toEqual({ removed: false, raw: { id: 'u', jobTitle: 'A', department: 'D' } });
    expect(users.get('v')).toEqual({ removed: true, raw: {} });
  });
});

describe('errors and throttling', () => {
  it('turns an AADSTS answer into one line without trace ids, and redacts secrets', () => {
    const raw =
      "invalid_client: Error(s): 7000215 - Timestamp: 2026-01-01 00:00:00Z - Description: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent is the value. Trace ID: 1f Correlation ID: 2e Timestamp: 2026-01-01 00:00:00Z - Correlation ID: 2e - Trace ID: 1f";
    expect(describeAadsts(raw)).toEqual({ aadsts: 7000215, message: 'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent is the value.' });
    expect(redact('secret s3cr3t-value here\nand more', ['s3cr3t-value'])).toBe('secret [redacted] here and more');
  });

  it('reads Retry-After in seconds or as a date; the gate holds every request until it passes', async () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.UTC(2026, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(10_000);
    expect(retryAfterMs(null)).toBe(1000);
    let t = 0;
    const slept: number[] = [];
    const gate = createThrottleGate((ms) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    }, () => t);
    expect(await gate.wait()).toBe(false);
    gate.pause(2000);
    gate.pause(500);
    expect(await gate.wait()).toBe(true);
    expect(slept).toEqual([2000]);
  });

  it('knows which permissions include others, and wants https', () => {
    expect(hasPermission(new Set(['Directory.Read.All']), 'User.Read.All')).toBe(true);
    expect(hasPermission(new Set(['Group.Read.All']), 'GroupMember.ReadWrite.All')).toBe(false);
    expect(() => graphOrigin('http://graph.example')).toThrow(EntraError);
    expect(graphOrigin('https://graph.microsoft.com/v1.0/')).toBe('https://graph.microsoft.com');
  });
});

describe('the last middleware', () => {
  const handler = (transport: Transport): { h: PinnedHttpsHandler; stats: GraphHttpStats } => {
    const stats: GraphHttpStats = { requests: 0, retries: 0, rateLimited: 0, throttledWaits: 0, resourceUnits: 0, timeouts: 0 };
    const h = new PinnedHttpsHandler({ origin: 'https://graph.example', agent: new https.Agent(), gate: createThrottleGate(() => Promise.resolve()), stats, transport, sleep: () => Promise.resolve() });
    return { h, stats };
  };
  const reply = (status: number, headers: Record<string, string> = {}): ReturnType<Transport> =>
    Promise.resolve({ status, headers: { get: (n: string) => headers[n.toLowerCase()] ?? null, forEach: (cb: (v: string, k: string) => void) => Object.entries(headers).forEach(([k, v]) => cb(v, k)) }, buffer: () => Promise.resolve(Buffer.from('{}')), arrayBuffer: () => Promise.resolve(new ArrayBuffer(0)) });

  it('never sends a request to another origin (the token would go with it)', async () => {
    let sent = 0;
    const { h } = handler(() => {
      sent++;
      return reply(200);
    });
    const state = new CallState();
    const context = { request: 'https://graph.example.evil.test/v1.0/users', options: { method: 'GET', headers: { Authorization: 'Bearer x' } }, middlewareControl: { getMiddlewareOptions: () => state } };
    await expect(h.execute(context as never)).rejects.toMatchObject({ kind: 'refused' });
    expect(state.failure).toBeInstanceOf(EntraError);
    expect(sent).toBe(0);
  });

  it('retries GETs after network errors and 502s, counts 429s and resource units', async () => {
    const answers: (() => ReturnType<Transport>)[] = [
      () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
      () => reply(502),
      () => reply(429, { 'retry-after': '0' }),
    ];
    const { h, stats } = handler(() => (answers.shift() ?? (() => reply(200, { 'x-ms-resource-unit': '2' })))());
    const context: { request: string; options: { method: string }; response?: Response } = { request: 'https://graph.example/v1.0/users', options: { method: 'GET' } };
    await h.execute(context);
    expect(context.response?.status).toBe(429);
    await h.execute(context);
    expect(context.response?.status).toBe(200);
    expect(stats).toMatchObject({ requests: 4, retries: 2, rateLimited: 1, resourceUnits: 2 });
  });
});
