// What every step of the organisation generator shares: the size, seed and
// anchor, the named random streams, the id minter and the date drawer (each
// one stream whose draws run on from step to step, so they are made once
// here), and the company with its departments and offices. The steps (people,
// apps, groups, history) each take this context; generateOrg composes them.
import { COMPANIES, DEPARTMENTS, EXECUTIVE, LOCATIONS, type DepartmentDef, type LocationDef } from './org-data.js';
import { slugify, type OrgCompany } from './org-model.js';
import { createRng, type Rng } from './prng.js';

export const DAY = 86_400_000;
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export type OrgContext = {
  /** Number of people. */
  n: number;
  seed: number;
  anchor: number;
  /** A named random stream (see prng.ts): each aspect of the org draws from its own. */
  rng: (stream: string) => Rng;
  /** A fresh Okta-style id with the org's suffix, never repeated. */
  newId: (prefix: string) => string;
  /** The one 'dates' stream every step shares (people, apps, groups, history draw from it in turn). */
  dateRng: Rng;
  /** A time in [lo, hi), drawn from dateRng. */
  between: (lo: number, hi: number) => number;
  idSuffix: string;
  domain: string;
  subdomain: string;
  orgCreated: number;
  company: OrgCompany;
  departments: DepartmentDef[];
  locations: LocationDef[];
  deptIndex: Map<string, number>;
};

/** The ids, the company and its shape: the first draws of every org, in this order. */
export function createOrgContext(n: number, seed: number, anchor: number, domainOption: string | undefined): OrgContext {
  const rng = (stream: string): Rng => createRng(seed, stream);

  // --- ids ------------------------------------------------------------------
  const idRng = rng('ids');
  const idSuffix = `${idRng.int(10)}${'abcdefghijklmnopqrstuvwxyz'[idRng.int(26)]}${idRng.int(10)}`;
  const usedIds = new Set<string>();
  const newId = (prefix: string): string => {
    for (;;) {
      const id = `${prefix}${idRng.chars(14, BASE62)}${idSuffix}`;
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };

  // --- company --------------------------------------------------------------
  const companyRng = rng('company');
  const companyDef = companyRng.pick(COMPANIES);
  const domain = domainOption ?? `${companyDef.slug}.example.com`;
  const subdomain = domainOption ? slugify(domain.split('.')[0] ?? companyDef.slug) : companyDef.slug;
  const orgCreated = anchor - 8 * 365 * DAY;

  // --- shape: departments and offices scale with size -------------------------
  const deptCount = clamp(Math.round(2 * Math.log2(Math.max(n, 10) / 10)), 3, DEPARTMENTS.length);
  const departments: DepartmentDef[] = [EXECUTIVE, ...DEPARTMENTS.slice(0, deptCount)];
  const locationCount = clamp(Math.round(n / 5000) + 3, 3, LOCATIONS.length);
  const locations: LocationDef[] = LOCATIONS.slice(0, locationCount);
  const hq = locations[0] as LocationDef;
  const company: OrgCompany = {
    id: newId('00o'),
    name: companyDef.name,
    subdomain,
    domain,
    website: `https://www.${domain}`,
    created: orgCreated,
    lastUpdated: anchor - 40 * DAY,
    city: hq.city,
    state: hq.state,
    country: hq.countryCode,
    postalCode: hq.zipCode,
  };
  const deptIndex = new Map(departments.map((d, i) => [d.slug, i]));

  const dateRng = rng('dates');
  const between = (lo: number, hi: number): number => Math.floor(lo + dateRng.next() * Math.max(0, hi - lo));

  return { n, seed, anchor, rng, newId, dateRng, between, idSuffix, domain, subdomain, orgCreated, company, departments, locations, deptIndex };
}
