// Channels of the catalog area, merged into shared/contract.ts.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
import { z } from 'zod';
// eslint-disable-next-line @typescript-eslint/no-unused-vars
import { channel } from './channel.js';

export const catalogChannels = {} as const;
