// How a call's caller is named (engine/operator/caller.ts): the signed-in
// operator; at the CLI, with the OS account too; "acting as" labelled as a
// sandbox stand-in; else the transport's OS user. And the per-call context:
// actor and channel are the caller's, everything else is the workspace's
// own context, written through (the sandbox clock installed by a call stays).
import { describe, expect, it } from 'vitest';
import type { OperatorSession } from '../../shared/contract-operator.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { actorOf, callerContext, personOf } from '../../electron/engine/operator/caller.js';

const session: OperatorSession = { connectionId: 1, connectionName: 'Okta', idp: 'okta', subject: '00u1', email: 'ada@acme.example', name: 'Ada', signedInAt: 't', expiresAt: 't' };

describe('the caller', () => {
  it('names the operator; at the CLI with the OS account; acting-as labelled; else the OS user', () => {
    expect(actorOf({ channel: 'console', operator: session, actingAs: 'bob@acme.example' }, 'bridge:root')).toBe('ada@acme.example');
    expect(actorOf({ channel: 'cli', operator: session, actingAs: null }, 'cli:root')).toBe('ada@acme.example (cli:root)');
    expect(actorOf({ channel: 'cli', operator: { ...session, email: null }, actingAs: null }, 'cli:root')).toBe('okta:00u1 (cli:root)');
    expect(actorOf({ channel: 'console', operator: null, actingAs: 'bob@acme.example' }, 'bridge:root')).toBe('bob@acme.example (acting as, sandbox)');
    expect(actorOf({ channel: 'cli', operator: null, actingAs: null }, 'cli:root')).toBe('cli:root');
    expect(personOf({ channel: 'console', operator: session, actingAs: 'bob@acme.example' })).toBe('ada@acme.example');
    expect(personOf({ channel: 'console', operator: null, actingAs: 'bob@acme.example' })).toBe('bob@acme.example');
    expect(personOf({ channel: 'console', operator: null, actingAs: null })).toBeNull();
  });

  it("the call's context overrides actor and channel only, and writes through to the workspace's context", () => {
    const base = { actor: 'bridge:root', clock: { now: () => new Date(0) }, sandbox: true } as unknown as EngineContext;
    const call = callerContext(base, { channel: 'console', operator: session, actingAs: null });
    expect([call.actor, call.channel, call.sandbox]).toEqual(['ada@acme.example', 'console', true]);
    expect([base.actor, base.channel]).toEqual(['bridge:root', undefined]);
    const clock = { now: () => new Date(1) };
    call.clock = clock;
    expect(base.clock).toBe(clock);
    expect({ ...call }.actor).toBe('ada@acme.example');
  });
});
