import { createHash } from 'node:crypto';
import type { Db, LockHandle } from './db';
import type { Logger } from './log';

/**
 * Leadership through a PostgreSQL advisory lock: exactly one instance holds `name` at a time. A standby retries every
 * `retryMs` (default 5 s) and takes over once the leader's session ends, well within the 30 s the design asks.
 */
export class Leader {
  private lock: LockHandle | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  readonly key: number;

  constructor(
    private db: Db,
    readonly name: string,
    private log: Logger,
    private retryMs = 5_000,
    private onChange?: (leader: boolean) => void,
  ) {
    this.key = createHash('sha256').update(`city-ops:${name}`).digest().readInt32BE(0);
  }

  isLeader(): boolean {
    return this.lock?.held() ?? false;
  }

  async start() {
    this.stopped = false;
    await this.tick();
  }

  private async tick() {
    if (this.stopped) return;
    const was = this.lock !== null;
    if (this.lock && !this.lock.held()) {
      this.log.warn({ lock: this.name }, 'lost leadership (database session ended)');
      this.lock = null;
      this.onChange?.(false);
    }
    if (!this.lock) {
      this.lock = await this.db.tryLock(this.key).catch(() => null);
      if (this.lock) {
        this.log.info({ lock: this.name }, was ? 'regained leadership' : 'took leadership');
        this.onChange?.(true);
      }
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.retryMs);
      this.timer.unref();
    }
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.lock) await this.lock.release();
    this.lock = null;
  }
}
