import { z } from 'zod';

/** The `faro:` section: browser real-user monitoring receiver (apps, keys, CORS, limits). Owned by the Faro receiver. */
export const faroConfig = z.object({}).loose().prefault({});
