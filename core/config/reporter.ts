import { z } from 'zod';

/** The `reporter:` section of the configuration. Owned by the reporter area. */
export const reporterConfig = z.object({}).loose().prefault({});
