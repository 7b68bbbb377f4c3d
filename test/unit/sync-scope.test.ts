import { describe, expect, it } from 'vitest';
import { syncScopeInput } from '../../shared/contract.js';
import { emptyScope } from '../../shared/domain.js';
import { describeScope, normaliseScope, scopeFilter } from '../../electron/engine/connections/scope.js';

describe('sync scope', () => {
  it('an empty scope keeps everything', () => {
    const f = scopeFilter(emptyScope());
    expect(f.unlimited).toBe(true);
    expect(f.group({ name: 'anything', type: 'OKTA_GROUP' })).toBe(true);
    expect(f.app({ id: '0oa1', name: 'x', label: 'X' })).toBe(true);
    expect(describeScope(emptyScope())).toBe('everything');
  });

  it('prefixes and the pattern are alternatives, types narrow, case does not matter', () => {
    const f = scopeFilter({ groups: { prefixes: ['App-'], pattern: '^sg-.*-admins$', types: ['okta_group'] }, apps: { include: [] } });
    expect(f.unlimited).toBe(false);
    expect(f.group({ name: 'app-figma-editors', type: 'OKTA_GROUP' })).toBe(true);
    expect(f.group({ name: 'SG-payroll-admins', type: 'OKTA_GROUP' })).toBe(true);
    expect(f.group({ name: 'sales', type: 'OKTA_GROUP' })).toBe(false);
    expect(f.group({ name: 'app-jira', type: 'APP_GROUP' })).toBe(false);
  });

  it('apps match by id, name or label', () => {
    const f = scopeFilter({ groups: { prefixes: [], pattern: null, types: [] }, apps: { include: ['figma', '0oaSLACK'] } });
    expect(f.app({ id: '0oa1', name: 'figma_saml', label: 'Figma' })).toBe(true);
    expect(f.app({ id: '0oaslack', name: 'slack', label: 'Slack' })).toBe(true);
    expect(f.app({ id: '0oa3', name: 'zoom', label: 'Zoom' })).toBe(false);
  });

  it('stored settings without a scope, or with junk, read as an empty scope', () => {
    expect(normaliseScope(undefined)).toEqual(emptyScope());
    expect(normaliseScope({ groups: { prefixes: ['a', 3, ''], pattern: '' }, apps: 'x' })).toEqual({
      groups: { prefixes: ['a'], pattern: null, types: [] },
      apps: { include: [] },
    });
  });

  it('the contract refuses an invalid regular expression by name', () => {
    const r = syncScopeInput.safeParse({ groups: { pattern: '([a-' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('not a valid regular expression');
    expect(r.error?.issues[0]?.path).toEqual(['groups', 'pattern']);
  });
});
