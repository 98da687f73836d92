import { z } from 'zod';

/** One module on the public status page, under the name citizens know it by. */
const publicModule = z
  .object({
    /** The module's id (collector.modules[].id). */
    module: z.string().min(1),
    /** The public name shown instead of the internal one. */
    name: z.string().trim().min(1).max(60),
    /** A line under the name (what the service is), optional. */
    description: z.string().trim().max(200).optional(),
  })
  .strict();

/** The public status page at /status (docs/dashboard.md "Public status page"). */
export const statusPageConfig = z
  .object({
    /** Serve /status (it answers 404 while no module is listed, so nothing is public by accident). */
    enabled: z.boolean().default(true),
    title: z.string().trim().min(1).max(60).default('政务服务运行状态'),
    /** Which modules appear, in this order, under which public names. Nothing else is ever shown. */
    modules: z.array(publicModule).max(100).default([]),
    /** The page is read from the database at most this often; browsers and proxies may cache it as long. */
    refreshSeconds: z.number().int().min(5).max(3600).default(60),
    /** A database slower than this serves the last snapshot instead (milliseconds). */
    queryTimeoutMs: z.number().int().min(100).max(60_000).default(2_000),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.modules.forEach((m, i) => {
      if (seen.has(m.module)) ctx.addIssue({ code: 'custom', path: ['modules', i, 'module'], message: `module ${m.module} is listed twice; list each module once` });
      seen.add(m.module);
    });
  })
  .prefault({});

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
    statusPage: statusPageConfig,
  })
  .strict()
  .prefault({});

export type StatusPageConfig = z.output<typeof statusPageConfig>;
