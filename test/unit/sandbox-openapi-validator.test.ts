// The spec checker the sandbox tests rely on must itself catch what it
// claims to: Okta's own example bodies pass, broken variants of them fail.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOktaSpec, schemaOf, specsDir, validate, validateResponse } from '../helpers/openapi.js';

const example = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(specsDir(), 'examples/okta/from-spec', file), 'utf8')) as unknown;
const spec = loadOktaSpec();

describe('openapi test helper', () => {
  it("accepts Okta's example bodies for users, groups and group members", () => {
    expect(validateResponse(spec, 'GET', '/api/v1/users', 200, example('listUsers.ListUsers.json'))).toEqual([]);
    expect(validateResponse(spec, 'GET', '/api/v1/users/{id}', 200, example('getUser.GetUserExample.json'))).toEqual([]);
    expect(validateResponse(spec, 'GET', '/api/v1/groups', 200, example('listGroups.ListGroupsExample.json'))).toEqual([]);
    expect(validateResponse(spec, 'GET', '/api/v1/groups/{groupId}/users', 200, example('listGroupUsers.ListMemberUserResponse.json'))).toEqual([]);
    expect(validateResponse(spec, 'GET', '/api/v1/apps/{appId}/groups', 200, example('listApplicationGroupAssignments.listGroupAssignmentsResponseExample.json'))).toEqual([]);
  });

  it('reports wrong types, enums, nulls, date-times and missing required fields by JSON path', () => {
    const users = example('listUsers.ListUsers.json') as Record<string, unknown>[];
    const bad = structuredClone(users);
    const u = bad[0] as Record<string, unknown>;
    u.status = 'ASLEEP';
    u.created = 'yesterday';
    u.lastUpdated = null;
    (u.profile as Record<string, unknown>).login = 42;
    const errors = validateResponse(spec, 'GET', '/api/v1/users', 200, bad);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('$[0].status'),
        expect.stringContaining('$[0].created'),
        expect.stringContaining('$[0].lastUpdated: null'),
        expect.stringContaining('$[0].profile.login'),
      ]),
    );
    expect(validateResponse(spec, 'GET', '/api/v1/users', 200, { not: 'an array' })).toEqual(['$: expected an array, got object']);
    expect(validate(spec, schemaOf(spec, 'HrefObject'), {})).toEqual(['$: missing required property "href"']);
  });

  it('dispatches on discriminators (apps by signOnMode) and rejects unknown tags', () => {
    const app = { id: '0oa1', label: 'X', name: 'bookmark', signOnMode: 'BOOKMARK', settings: { app: { url: 'https://x.example.com' } } };
    expect(validate(spec, schemaOf(spec, 'Application'), app)).toEqual([]);
    // BookmarkApplication requires settings.app.url.
    expect(validate(spec, schemaOf(spec, 'Application'), { ...app, settings: { app: {} } })).toEqual(['$.settings.app: missing required property "url"']);
    expect(validate(spec, schemaOf(spec, 'Application'), { ...app, signOnMode: 'TELEPATHY' })[0]).toContain('"TELEPATHY" is not one of');
  });
});
