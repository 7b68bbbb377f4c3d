// Reads the "id" of every object in a JSON array straight from the bytes.
//
// Why: a group-members page is up to 1,000 full user objects (~1 KB each)
// of which the sync needs only the ids. Decoding the page to a string and
// JSON.parse-ing it built a million throw-away objects per million
// memberships and was the largest client-side cost of a big sync (profiled:
// decode + parse ~2.2 s of CPU per 200k members). One pass over the bytes
// is several times cheaper and allocates only the id strings.
//
// It is not a validator: anything it does not expect (not an array, an
// unterminated string, unbalanced brackets, an escaped id) returns null and
// the caller falls back to JSON.parse, which reports malformed JSON properly.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const LOWER_I = 0x69;
const LOWER_D = 0x64;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * End index (position of the closing quote) of the string whose opening
 * quote is at `open`, or -1. A plain loop: JSON strings here are short, and
 * Buffer.indexOf's per-call cost (measured) exceeded the scan it saves.
 */
function stringEnd(buf: Buffer, open: number): number {
  const n = buf.length;
  for (let j = open + 1; j < n; j++) {
    const c = buf[j];
    if (c === QUOTE) return j;
    if (c === BACKSLASH) j++; // skip the escaped character
  }
  return -1;
}

/** Top-level `id` string of each object of a JSON array, in order; null when the bytes are not what we expect. */
export function extractIds(buf: Buffer): string[] | null {
  const n = buf.length;
  let i = 0;
  while (i < n && isSpace(buf[i]!)) i++;
  if (buf[i] !== OPEN_ARR) return null;
  const ids: string[] = [];
  let depth = 0;
  // At depth 2 (a member of an array element), a string right after `{` or `,` is a key.
  let keyPosition = false;
  let objects = 0;
  let sawId = false;
  for (; i < n; i++) {
    const c = buf[i]!;
    if (c === QUOTE) {
      const end = stringEnd(buf, i);
      if (end < 0) return null;
      if (depth === 2 && keyPosition && end - i === 3 && buf[i + 1] === LOWER_I && buf[i + 2] === LOWER_D) {
        let v = end + 1;
        while (v < n && isSpace(buf[v]!)) v++;
        if (buf[v] !== COLON) return null;
        v++;
        while (v < n && isSpace(buf[v]!)) v++;
        if (buf[v] === QUOTE) {
          const vEnd = stringEnd(buf, v);
          if (vEnd < 0) return null;
          // An escape in an id would need real JSON decoding: let JSON.parse do it.
          for (let k = v + 1; k < vEnd; k++) if (buf[k] === BACKSLASH) return null;
          if (sawId) return null; // two "id" keys in one object: not a shape we guess about
          ids.push(buf.toString('utf8', v + 1, vEnd));
          sawId = true;
          i = vEnd;
          keyPosition = false;
          continue;
        }
        // a non-string id: leave it to the structural scan (it is not collected)
      }
      keyPosition = false;
      i = end;
      continue;
    }
    switch (c) {
      case OPEN_OBJ:
      case OPEN_ARR:
        depth++;
        if (depth === 2 && c === OPEN_OBJ) {
          objects++;
          sawId = false;
        }
        keyPosition = c === OPEN_OBJ;
        break;
      case CLOSE_OBJ:
      case CLOSE_ARR:
        depth--;
        if (depth < 0) return null;
        keyPosition = false;
        if (depth === 0) {
          // The array closed: only white space may follow.
          for (let k = i + 1; k < n; k++) if (!isSpace(buf[k]!)) return null;
          return ids.length === objects ? ids : null;
        }
        break;
      case COMMA:
        keyPosition = true;
        break;
      default:
        if (!isSpace(c)) keyPosition = false;
    }
  }
  return null; // never closed: truncated
}
