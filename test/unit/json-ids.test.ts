import { describe, expect, it } from 'vitest';
import { extractIds } from '../../electron/engine/connectors/okta/json-ids.js';

const ids = (v: unknown) => extractIds(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));

describe('extractIds', () => {
  it('reads the top-level id of each element, ignoring nested ids and look-alike strings', () => {
    const page = [
      { profile: { id: 'nested', login: 'a"id":"x' }, type: { id: 'oty1' }, id: '00u1', _links: { self: { href: 'x' } } },
      { id: '00u2', status: 'ACTIVE', profile: { tags: ['id', { id: 'deep' }], note: 'say \\"id\\": \\"no\\"' } },
    ];
    expect(ids(page)).toEqual(['00u1', '00u2']);
    expect(ids(JSON.stringify(page, null, 2))).toEqual(['00u1', '00u2']);
    expect(ids('[]')).toEqual([]);
    expect(ids(' [ {"id" : "00u3"} ] \n')).toEqual(['00u3']);
  });

  it('agrees with JSON.parse on unicode ids', () => {
    expect(ids([{ id: 'ünï' }])).toEqual(['ünï']);
  });

  it('declines (null) what it cannot be sure about, so the caller falls back to JSON.parse', () => {
    expect(ids('{"id":"x"}')).toBeNull(); // not an array
    expect(ids('[{"id":"00u1"},{"id":"00u2"')).toBeNull(); // truncated
    expect(ids('[{"id":"00u1"}] trailing')).toBeNull();
    expect(ids('[{"id":"a\\u0041"}]')).toBeNull(); // escaped id
    expect(ids('[{"id":"00u1"},{"status":"ACTIVE"}]')).toBeNull(); // an element without id
    expect(ids('[{"id":"00u1","id":"00u2"}]')).toBeNull();
    expect(ids('<html>')).toBeNull();
  });
});
