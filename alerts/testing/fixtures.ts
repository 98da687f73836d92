import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queryable } from '../../core/db';

/** A real local webhook receiver (127.0.0.1, ephemeral port) that records every payload; `status` can be switched. */
export async function webhookReceiver() {
  const got: any[] = [];
  let status = 200;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (status === 200) got.push(JSON.parse(body));
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    setStatus: (s: number) => (status = s),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Modules and targets as the collector mirrors them from its configuration. */
export async function seedTargets(db: Queryable, targets: { id: string; module: string; type?: string; intervalMs?: number }[]) {
  for (const m of new Set(targets.map((t) => t.module))) {
    await db.query(`INSERT INTO modules (id, name, slo) VALUES ($1, $2, 99.9) ON CONFLICT (id) DO NOTHING`, [m, `模块${m}`]);
  }
  for (const t of targets) {
    await db.query(
      `INSERT INTO targets (id, module_id, name, type, interval_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
      [t.id, t.module, `目标${t.id}`, t.type ?? 'http', t.intervalMs ?? 30_000],
    );
  }
}

/** What the collector writes to target_state after each result. */
export async function setTargetState(db: Queryable, id: string, state: 'up' | 'down', failures: number, since: number) {
  await db.query(
    `INSERT INTO target_state (target_id, state, since, consecutive_failures, consecutive_successes, last_ts, last_success, last_error_code, last_error)
     VALUES ($1, $2, $3, $4, $5, $3, $6, $7, $8)
     ON CONFLICT (target_id) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since, consecutive_failures = EXCLUDED.consecutive_failures,
       consecutive_successes = EXCLUDED.consecutive_successes, last_ts = EXCLUDED.last_ts, last_success = EXCLUDED.last_success,
       last_error_code = EXCLUDED.last_error_code, last_error = EXCLUDED.last_error`,
    [id, state, new Date(since), failures, state === 'up' ? 1 : 0, state === 'up', state === 'up' ? null : 'refused', state === 'up' ? null : '连接被拒绝 refused'],
  );
}

/** An AlertsContext for one alerts area instance on a shared database (tests of several instances). */
export async function areaContext(db: import('../../core/db').Db, config: import('../../app/config').Config, clock: () => number = Date.now, auth?: import('../../core/auth/service').AuthService) {
  const { Registry } = await import('prom-client');
  const { AuthService } = await import('../../core/auth/service');
  const { Leader } = await import('../../core/leader');
  const { silentLogger } = await import('../../core/log');
  const { contextFor } = await import('../../app/system');
  const { alertsArea } = await import('..');
  const { openConfigObjects } = await import('../../app/objects');
  const log = silentLogger();
  return contextFor(alertsArea, config, {
    core: config, db, log, clock, metrics: new Registry(), auth: auth ?? new AuthService(db, clock, 3_600_000), dataDir: '/tmp',
    objects: openConfigObjects(db, clock, () => config),
    leader: (name, onChange) => new Leader(db, name, log, 5000, onChange),
  }, () => undefined);
}

/** The alerts area's routes under /api/alerts behind the real authentication, as the system mounts them (API tests). */
export async function alertsApp(ctx: import('../config').AlertsContext) {
  const { Hono } = await import('hono');
  const { authenticate } = await import('../../core/http');
  const { alertsArea } = await import('..');
  const area = await alertsArea.create(ctx);
  const app = new Hono<import('../../core/http').AppEnv>();
  app.onError((err, c) => (console.error(err), c.json({ error: String(err) }, 500)));
  app.use('/api/*', authenticate(ctx.auth));
  app.route('/api/alerts', area.routes!);
  return app;
}
