// Channels of the jobs area, merged into shared/contract.ts.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
import { z } from 'zod';
// eslint-disable-next-line @typescript-eslint/no-unused-vars
import { channel } from './channel.js';

export const jobsChannels = {} as const;
