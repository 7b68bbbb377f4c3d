// Incremental parser for `text/event-stream` (the WHATWG format). We read the
// stream with fetch instead of EventSource because EventSource cannot send the
// Authorization header the bridge requires.

export type SseMessage = { event: string; data: string; id: string | null };

export type SseParser = {
  /** Feeds decoded text; returns the messages completed by it. */
  push: (chunk: string) => SseMessage[];
  /** The last `id:` seen, for Last-Event-ID on reconnect. */
  lastEventId: () => string | null;
  /** The last `retry:` hint in ms, if the server sent one. */
  retryMs: () => number | null;
};

export function createSseParser(): SseParser {
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let lastId: string | null = null;
  let retry: number | null = null;

  const handleLine = (line: string, out: SseMessage[]): void => {
    if (line === '') {
      if (data.length > 0) out.push({ event: event || 'message', data: data.join('\n'), id: lastId });
      event = '';
      data = [];
      return;
    }
    if (line.startsWith(':')) return; // comment / heartbeat
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        event = value;
        break;
      case 'data':
        data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) retry = Number(value);
        break;
      default:
        break;
    }
  };

  return {
    push(chunk) {
      buffer += chunk;
      const out: SseMessage[] = [];
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        if (!match) break;
        // A lone '\r' at the very end may be the first half of '\r\n': wait.
        if (match[0] === '\r' && match.index === buffer.length - 1) break;
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        handleLine(line, out);
      }
      return out;
    },
    lastEventId: () => lastId,
    retryMs: () => retry,
  };
}
