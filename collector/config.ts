import { z } from 'zod';
import { duration, labels, secret } from '../core/config/common';
import { probeTypeNames, probeTypeOf, targetSpecSchema } from './probes/index';

const id = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'ids are lower-case letters, digits, _ . - (at most 64), e.g. "portal-home"');

/** A platform module (共享交换平台, 人口库, ...): what the dashboard rolls targets up into. */
const moduleConfig = z
  .object({
    id,
    /** Chinese display name, e.g. 共享交换平台. */
    name: z.string().min(1),
    description: z.string().default(''),
    /** Availability objective in percent, e.g. 99.9; the error budget is (100 - slo)% of the period. */
    slo: z.number().min(50).max(100).default(99.9),
    tags: z
      .object({
        department: z.string().default(''),
        criticality: z.enum(['low', 'medium', 'high', 'critical']).default('medium'),
        dependsOn: z.array(id).default([]),
      })
      .catchall(z.string())
      .prefault({}),
  })
  .strict();

/** One probed thing. `type` and `spec` are validated together by `targetSpecSchema`, the union of the registry's probe types' spec schemas (collector/probes/index.ts). */
const targetConfig = z
  .object({
    id,
    module: id,
    name: z.string().min(1),
    type: z.string().min(1),
    interval: duration({ min: '5s', max: '1d' }).optional(),
    timeout: duration({ min: '100ms', max: '5m' }).optional(),
    /** Consecutive failures before the target is down. */
    failureThreshold: z.number().int().min(1).max(100).optional(),
    /** Consecutive successes before a down target is up again. */
    successThreshold: z.number().int().min(1).max(100).optional(),
    /** Retries inside one probe before it counts as failed (network blips). */
    retries: z.number().int().min(0).max(5).optional(),
    /** A successful probe slower than this marks the target degraded. */
    slow: duration({ min: '1ms' }).optional(),
    tags: labels.default({}),
    enabled: z.boolean().default(true),
    /** Push targets (heartbeat): the secret in the URL a job posts to, POST /api/collector/heartbeat/<token>. */
    token: secret.optional(),
    spec: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const defaultsConfig = z
  .object({
    interval: duration({ min: '5s', max: '1d' }).prefault('30s'),
    timeout: duration({ min: '100ms', max: '5m' }).prefault('10s'),
    failureThreshold: z.number().int().min(1).max(100).default(3),
    successThreshold: z.number().int().min(1).max(100).default(1),
    retries: z.number().int().min(0).max(5).default(0),
    /** HTTP(S) connections of targets that do not say: fresh (new per probe, phases always measured) or reuse (keep-alive); docs/probes.md. */
    connection: z.enum(['fresh', 'reuse']).default('fresh'),
  })
  .strict()
  .prefault({});

const collectorShape = z
  .object({
    /** Start the simulated city platform (ops/platform-sim) with the collector, for the demo. */
    demoSimulator: z.boolean().default(false),
    /** The simulator's admin port (its services take the next ports); the demo targets point at these. */
    demoSimulatorPort: z.number().int().min(1024).max(65_000).default(18000),
    /** Faults the demo simulator starts with, so a new user sees varied health (service and fault as ops/platform-sim names them). */
    demoFaults: z
      .array(z.object({ service: z.string(), fault: z.string(), ms: z.number().int().min(0).optional() }).strict())
      .default([]),
    /**
     * Days of simulated history written once into an empty demo database (collector/demo-history.ts), so the 7-day
     * and 90-day charts show data at once; the pages mark it 演示数据. 0 (the default): none. Never for production.
     */
    demoHistoryDays: z.number().int().min(0).max(90).default(0),
    /** One simulated result per target per step: the charts over days read hourly rollups, so 10 minutes is plenty. */
    demoHistoryStep: duration({ min: '1m', max: '1h' }).prefault('10m'),
    /** Probes running at once in this process, and at once against one host. */
    concurrency: z.number().int().min(1).max(20_000).default(500),
    perHostConcurrency: z.number().int().min(1).max(10_000).default(50),
    /** Several collectors share the targets: this one probes targets whose id hashes to `index` mod `count`. */
    shard: z
      .object({ index: z.number().int().min(0).default(0), count: z.number().int().min(1).max(1024).default(1) })
      .strict()
      .refine((s) => s.index < s.count, { message: 'shard.index must be below shard.count (0-based)' })
      .prefault({}),
    /** Where results wait on disk while the database is away; relative to the data folder. */
    journalDir: z.string().default('journal'),
    /** Results kept in memory while the database is away, before they go to the journal. */
    bufferSize: z.number().int().min(100).max(1_000_000).default(20_000),
    /** A batch is written when it has `size` results or its oldest result is `age` old. */
    batch: z
      .object({ size: z.number().int().min(1).max(20_000).default(1000), age: duration({ min: '10ms', max: '1m' }).prefault('1s') })
      .strict()
      .prefault({}),
    /** How often the collector writes its own statistics to collector_stats. */
    statsEvery: duration({ min: '1s' }).prefault('30s'),
    defaults: defaultsConfig,
    modules: z.array(moduleConfig).default([]),
    targets: z.array(targetConfig).default([]),
  })
  .strict();

/** The `collector:` section of the configuration. Owned by the collector area. */
export const collectorConfig = collectorShape
  .transform((c, ctx) => {
    const moduleIds = new Set<string>();
    c.modules.forEach((m, i) => {
      if (moduleIds.has(m.id)) ctx.addIssue({ code: 'custom', path: ['modules', i, 'id'], message: `module id "${m.id}" is used twice; ids must be unique` });
      moduleIds.add(m.id);
    });
    c.modules.forEach((m, i) =>
      m.tags.dependsOn.forEach((d, j) => {
        if (!moduleIds.has(d)) ctx.addIssue({ code: 'custom', path: ['modules', i, 'tags', 'dependsOn', j], message: `no module "${d}"; list it under collector.modules` });
      }),
    );
    const targetIds = new Set<string>();
    const tokens = new Set<string>();
    const targets = c.targets.map((t, i) => {
      const at = (...p: (string | number)[]) => ['targets', i, ...p];
      if (targetIds.has(t.id)) ctx.addIssue({ code: 'custom', path: at('id'), message: `target id "${t.id}" is used twice; ids must be unique` });
      targetIds.add(t.id);
      if (!moduleIds.has(t.module)) ctx.addIssue({ code: 'custom', path: at('module'), message: `no module "${t.module}"; add it under collector.modules or fix the spelling` });
      const interval = t.interval ?? c.defaults.interval;
      const timeout = t.timeout ?? Math.min(c.defaults.timeout, interval);
      if (timeout > interval) ctx.addIssue({ code: 'custom', path: at('timeout'), message: `timeout (${timeout} ms) must not exceed the interval (${interval} ms)` });
      const type = probeTypeOf(t.type);
      let spec: unknown = t.spec;
      if (type?.kind === 'push' && (!t.token || t.token.length < 16)) {
        ctx.addIssue({ code: 'custom', path: at('token'), message: 'a push target needs a token of at least 16 characters (e.g. { env: HEARTBEAT_TOKEN_X }); jobs post to /api/collector/heartbeat/<token>' });
      }
      if (t.token && tokens.has(t.token)) ctx.addIssue({ code: 'custom', path: at('token'), message: 'two targets share this token; give each job its own' });
      if (t.token) tokens.add(t.token);
      if (!type) {
        ctx.addIssue({ code: 'custom', path: at('type'), message: `unknown probe type "${t.type}"; expected one of ${probeTypeNames.join(', ')}` });
      } else {
        // Inside the transform (not as the array's element schema), so that a bad spec is reported together with
        // every other problem of the section (module ids, tokens, timeouts), not instead of them.
        const raw = type.connectionOption && t.spec.connection === undefined ? { ...t.spec, connection: c.defaults.connection } : t.spec;
        const r = targetSpecSchema.safeParse({ type: t.type, spec: raw });
        if (r.success) spec = r.data.spec;
        else for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: at(...(issue.path as (string | number)[])), message: issue.message });
      }
      return {
        id: t.id,
        module: t.module,
        name: t.name,
        type: t.type,
        interval,
        timeout,
        failureThreshold: t.failureThreshold ?? c.defaults.failureThreshold,
        successThreshold: t.successThreshold ?? c.defaults.successThreshold,
        retries: t.retries ?? c.defaults.retries,
        slowMs: t.slow,
        tags: t.tags,
        enabled: t.enabled,
        token: t.token,
        spec,
      };
    });
    return { ...c, targets };
  })
  .prefault({});

export type CollectorConfig = z.output<typeof collectorConfig>;
export type TargetConfig = CollectorConfig['targets'][number];
export type ModuleConfig = CollectorConfig['modules'][number];

const jsonCache = new WeakMap<object, string>();
/**
 * A configuration object (a target, a module) as JSON, computed once per object: a reload compares every target of
 * the new configuration with the running one (the catalogue mirror and the scheduler both do), and at 10,000 targets
 * stringifying both sides twice per edit was a tenth of a second. Configuration objects are never changed after
 * they are parsed (a reload parses new ones), so the text of an object stays its text.
 */
export function configJson(o: object): string {
  let s = jsonCache.get(o);
  if (s === undefined) jsonCache.set(o, (s = JSON.stringify(o)));
  return s;
}
