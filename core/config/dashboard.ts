import { z } from 'zod';

/** The `dashboard:` section of the configuration. Owned by the dashboard area. */
export const dashboardConfig = z.object({}).loose().prefault({});
