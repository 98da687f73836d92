import { z } from 'zod';

/** The `collector:` section of the configuration. Owned by the collector area. */
export const collectorConfig = z.object({}).loose().prefault({});
