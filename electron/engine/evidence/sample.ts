// The Sample sheet's draw: N rows from each sample population (new grants,
// leavers, approvals, review decisions, as the sheets name them), chosen as
// the rows stream past, reproducible from the seed. The method, so an
// auditor can re-draw by hand: each population has its own generator,
// mulberry32 seeded with the first 4 bytes (big-endian) of
// SHA-256("<seed>\n<population>"); rows are offered in sheet order and kept
// by reservoir sampling (algorithm R: the first N are kept; the i-th row
// after them, counting from 0, replaces pick j = floor(next() * (i + 1)) when
// j < N). The kept rows are listed in sheet order.
import { createHash } from 'node:crypto';

/** mulberry32: a small 32-bit generator, enough for a reproducible draw (not for secrets). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator of one population under a seed. */
export function populationRandom(seed: string, population: string): () => number {
  return mulberry32(createHash('sha256').update(`${seed}\n${population}`, 'utf8').digest().readUInt32BE(0));
}

/** A reservoir of N items over a stream of unknown length. */
export class Reservoir<T> {
  private readonly kept: { order: number; item: T }[] = [];
  private seen = 0;
  private readonly next: () => number;

  constructor(
    readonly size: number,
    seed: string,
    readonly population: string,
  ) {
    this.next = populationRandom(seed, population);
  }

  /** Offers the next row of the population. `make` builds what is kept, only when it is kept. */
  offer(make: () => T): void {
    const i = this.seen++;
    if (i < this.size) {
      this.kept.push({ order: i, item: make() });
      return;
    }
    const j = Math.floor(this.next() * (i + 1));
    if (j < this.size) this.kept[j] = { order: i, item: make() };
  }

  /** How many rows the population had. */
  get populationSize(): number {
    return this.seen;
  }

  /** The kept rows, in the order they were offered. */
  picks(): T[] {
    return [...this.kept].sort((a, b) => a.order - b.order).map((k) => k.item);
  }
}
