import { z } from 'zod';

/** The `dashboard:` section of the configuration. Owned by the dashboard area. */
export const dashboardConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** Page title shown in the header and the browser tab. */
    title: z.string().default('城市大数据平台运行监测'),
    /** Auto-refresh period of every page, seconds (0 = off). */
    refreshSeconds: z.number().int().min(0).max(3600).default(30),
    /** The dashboard reports its own errors and web vitals to our Faro receiver as this app (a name in faro.apps). */
    faroApp: z.string().optional(),
  })
  .strict()
  .prefault({});
