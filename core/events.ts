import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Db } from './db';
import type { Logger } from './log';
import type { Principal } from './auth/service';
import { allows } from './auth/roles';
import { httpError, type AppEnv } from './http';

/** The channel the database announces changes on (sql/045_live_events.sql). */
export const LIVE_CHANNEL = 'city_ops_live';

/**
 * One change a page may want to show at once. `resync`: the hub lost the database for a while (its LISTEN
 * connection) and may have missed changes, so a page should re-read everything it shows.
 */
export type LiveEvent =
  | { topic: 'target'; id: string; state: string; module: string | null }
  | { topic: 'alert'; id: number; state: string; change: 'new' | 'state' | 'ack'; module: string | null }
  | { topic: 'report'; id: number; kind: string; status: string }
  | { topic: 'notice'; id: number; status: string; department: string }
  | { topic: 'resync' };

/** Whether a signed-in user may hear an event: what it may read (core/auth/roles.ts); a department its own notices. */
export function mayHear(p: Principal, e: LiveEvent): boolean {
  switch (e.topic) {
    case 'notice':
      return allows(p, 'notices:read') || (p.role === 'department' && !!p.department && p.department === e.department && allows(p, 'notices:respond'));
    case 'resync':
      return true;
    default:
      return allows(p, 'read');
  }
}

/**
 * The process's one LISTEN on `city_ops_live`, fanned out to every open event stream. Areas publish nothing in code:
 * the database's triggers announce each committed change (sql/045), whichever process wrote it, so the collector,
 * the alert evaluator and the reporter may run apart on one server. Without `listen` (a Db that has none) the hub is
 * silent and pages fall back to polling.
 */
export class LiveEvents {
  private subs = new Set<(e: LiveEvent) => void>();
  private unlisten?: () => Promise<void>;
  private closers = new Set<() => void>();
  readonly counters = { received: 0, malformed: 0 };

  constructor(
    private db: Db,
    private log: Logger,
  ) {}

  get listening() {
    return this.unlisten !== undefined;
  }

  get streams() {
    return this.closers.size;
  }

  async start() {
    if (!this.db.listen) {
      this.log.info('this database has no LISTEN: live updates off, pages poll');
      return;
    }
    try {
      this.unlisten = await this.db.listen(LIVE_CHANNEL, (payload) => this.onPayload(payload), () => {
        this.log.info('live events: LISTEN connection back; pages re-read');
        this.emit({ topic: 'resync' });
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'live events: LISTEN failed; pages poll');
    }
  }

  /** Ends every open stream (so the HTTP server can close) and stops listening. */
  async stop() {
    for (const close of [...this.closers]) close();
    await this.unlisten?.();
    this.unlisten = undefined;
  }

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.subs.add(fn);
    return () => this.subs.delete(fn);
  }

  private onPayload(payload: string) {
    let e: LiveEvent;
    try {
      e = JSON.parse(payload) as LiveEvent;
      if (!e || typeof e.topic !== 'string') throw new Error('no topic');
    } catch {
      this.counters.malformed++;
      return;
    }
    this.counters.received++;
    this.emit(e);
  }

  private emit(e: LiveEvent) {
    for (const fn of this.subs) {
      try {
        fn(e);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'live event subscriber failed');
      }
    }
  }

  /**
   * `GET /api/events`: a Server-Sent Events stream for a signed-in user. `event: <topic>` with the JSON of the event,
   * only what the user may read; a comment line every `heartbeatMs` (15 s) so proxies keep the connection and the
   * client notices a dead one; `ready` first, so a client knows the stream is live (and may stop polling). A stream
   * ends after `maxStreamMs` (10 min): the browser reconnects after `retry` (3 s) and is authenticated again, so a
   * session that ended or a role that changed does not keep listening.
   */
  routes(heartbeatMs = 15_000, maxStreamMs = 600_000): Hono<AppEnv> {
    const r = new Hono<AppEnv>();
    r.get('/', (c) => {
      const p = c.get('principal');
      if (!p) return httpError(c, 401, 'unauthenticated', '需要登录 (log in, or send Authorization: Bearer <token>)');
      if (!this.listening) return httpError(c, 503, 'live_unavailable', '实时推送不可用，页面将定时刷新 (the database has no LISTEN connection)');
      c.header('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
      return streamSSE(c, async (stream) => {
        let done!: () => void;
        const ended = new Promise<void>((resolve) => (done = resolve));
        let queue = Promise.resolve();
        const send = (write: () => Promise<unknown>) => {
          queue = queue.then(write).then(
            () => undefined,
            () => done(),
          );
        };
        const unsubscribe = this.subscribe((e) => {
          if (mayHear(p, e)) send(() => stream.writeSSE({ event: e.topic, data: JSON.stringify(e) }));
        });
        const beat = setInterval(() => send(() => stream.write(': heartbeat\n\n')), heartbeatMs);
        beat.unref();
        const limit = setTimeout(() => done(), maxStreamMs);
        limit.unref();
        this.closers.add(done);
        stream.onAbort(done);
        send(() => stream.writeSSE({ event: 'ready', data: JSON.stringify({ heartbeatMs }), retry: 3000 }));
        await ended;
        clearInterval(beat);
        clearTimeout(limit);
        unsubscribe();
        this.closers.delete(done);
        await queue;
      });
    });
    return r;
  }
}
