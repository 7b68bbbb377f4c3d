import { migration001 } from './001-initial.js';
import { migration002 } from './002-history-correlation.js';
import { migration003 } from './003-governance.js';
import { migration004 } from './004-directory-model.js';
import { migration005 } from './005-audit-chain.js';
import { migration006 } from './006-recorded-decisions.js';
import { migration007 } from './007-reviews.js';
import { migration008 } from './008-notices.js';
import { migration009 } from './009-group-owners.js';
import { migration010 } from './010-review-queue-order.js';
import { migration011 } from './011-hr.js';
import { migration012 } from './012-policies.js';
import { migration013 } from './013-plans.js';

export type Migration = { version: number; name: string; sql: string };

/** Every migration in order; the last one's version is the schema this build writes. */
export const migrations: readonly Migration[] = [
  migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010, migration011, migration012, migration013,
];
export const latestSchemaVersion = migrations[migrations.length - 1]?.version ?? 0;
