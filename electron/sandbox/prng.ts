// A small seeded PRNG for the sandbox organisation. Math.random() would make
// every run a different company; the benchmarks and tests need "seed 7, 100k
// users" to mean the same people, groups and memberships on every machine.
//
// sfc32 (Chris Doty-Humphrey's Small Fast Counter) seeded through splitmix32:
// fast, 32-bit only (no BigInt), good enough statistically for test data.
// Each aspect of the organisation draws from its own named stream, so that
// changing how, say, phone numbers are made does not reshuffle the managers.

export type Rng = {
  /** Uniform float in [0, 1). */
  next: () => number;
  /** Uniform integer in [0, n). */
  int: (n: number) => number;
  /** Uniform integer in [min, max] (both inclusive). */
  range: (min: number, max: number) => number;
  /** True with probability p. */
  chance: (p: number) => boolean;
  pick: <T>(items: readonly T[]) => T;
  /** Index drawn with probability proportional to its weight. */
  weighted: (weights: readonly number[]) => number;
  /** Random string of `length` characters from `alphabet`. */
  chars: (length: number, alphabet: string) => string;
};

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over the stream name, so streams with different names diverge. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function createRng(seed: number, stream = ''): Rng {
  const init = splitmix32((Math.imul(seed | 0, 0x27d4eb2d) ^ hashString(stream)) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // Warm up: the first outputs of sfc32 are correlated with the seed words.
  for (let i = 0; i < 12; i++) nextUint();

  const next = (): number => nextUint() / 4294967296;
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    range: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(items.length)] as T;
    },
    weighted: (weights) => {
      let total = 0;
      for (const w of weights) total += w;
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i] ?? 0;
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
    chars: (length, alphabet) => {
      let out = '';
      for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)] ?? '';
      return out;
    },
  };
}
