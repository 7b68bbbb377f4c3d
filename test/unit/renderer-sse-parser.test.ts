import { describe, expect, it } from 'vitest';
import { createSseParser } from '../../renderer/src/api/sse-parser.js';

describe('SSE parser', () => {
  it('parses events split across arbitrary chunks', () => {
    const p = createSseParser();
    const text = 'event: sync:progress\ndata: {"a":1}\n\n: heartbeat\n\nevent: sync:finished\ndata: {"b":2}\n\n';
    const out = [];
    for (let i = 0; i < text.length; i += 3) out.push(...p.push(text.slice(i, i + 3)));
    expect(out).toEqual([
      { event: 'sync:progress', data: '{"a":1}', id: null },
      { event: 'sync:finished', data: '{"b":2}', id: null },
    ]);
  });

  it('handles CRLF, CR split across chunks, multi-line data, id and retry', () => {
    const p = createSseParser();
    const out = [...p.push('id: 7\r\nretry: 2500\r\nevent: x\r\ndata: one\r'), ...p.push('\ndata: two\r\n\r\n')];
    expect(out).toEqual([{ event: 'x', data: 'one\ntwo', id: '7' }]);
    expect(p.lastEventId()).toBe('7');
    expect(p.retryMs()).toBe(2500);
  });

  it('defaults the event name to "message" and ignores events without data', () => {
    const p = createSseParser();
    expect(p.push('event: lonely\n\ndata:x\n\n')).toEqual([{ event: 'message', data: 'x', id: null }]);
  });
});
