import { z } from 'zod';

/** The `alerts:` section of the configuration. Owned by the alerts area. */
export const alertsConfig = z.object({}).loose().prefault({});
