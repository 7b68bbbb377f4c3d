// One way in for each piece of data (ARCHITECTURE.md, "The renderer"): a page
// or shared component never calls the client for data a store reads (it reads
// the store), and never writes through the client (a store's action does, and
// refreshes what the write changed). Read from the sources, so a new call in
// the wrong place fails here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WRITE_CHANNELS, type Channel } from '../../shared/contract.js';

const src = path.resolve(import.meta.dirname, '../../renderer/src');
const sources = (dir: string): { file: string; text: string }[] =>
  (readdirSync(path.join(src, dir), { recursive: true }) as string[])
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => ({ file: path.join(dir, f), text: readFileSync(path.join(src, dir, f), 'utf8') }));

/** The channels named in `api.call('…'` (across line breaks, as prettier leaves long calls). */
const called = (text: string): Channel[] => [...text.matchAll(/\bapi\s*\.call\(\s*'([a-zA-Z]+:[a-zA-Z]+)'/g)].map((m) => m[1] as Channel);

const stores = sources('stores');
const views = [...sources('pages'), ...sources('components'), { file: 'App.tsx', text: readFileSync(path.join(src, 'App.tsx'), 'utf8') }];
const storeReads = new Set(stores.flatMap((s) => called(s.text)));
const writes = new Set<string>(WRITE_CHANNELS);

describe('pages and components get each piece of data one way', () => {
  it('finds the calls it checks (the pattern still matches the code)', () => {
    expect(storeReads).toContain('settings:get');
    expect(storeReads).toContain('jira:status');
    expect(views.flatMap((v) => called(v.text))).toContain('requests:get');
    expect(views.flatMap((v) => called(v.text))).toContain('jobs:grants');
  });

  it('never call the client for what a store reads', () => {
    const both = views.flatMap((v) => called(v.text).filter((c) => storeReads.has(c)).map((c) => `${v.file}: ${c}`));
    expect(both).toEqual([]);
  });

  it('never write through the client: writes go through a store action', () => {
    const direct = views.flatMap((v) => called(v.text).filter((c) => writes.has(c)).map((c) => `${v.file}: ${c}`));
    expect(direct).toEqual([]);
  });
});
