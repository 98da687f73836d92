import { readdirSync, readFileSync } from 'node:fs';
import type { Db } from '../core/db';

/**
 * CPU seconds spent by this process and, on the server back end, by the PostgreSQL server the database lives on
 * (the postmaster, its live children, and the children it has reaped: /proc/<pid>/stat utime+stime+cutime+cstime).
 * The machine is shared, so CPU-s per unit of work is the fairer figure beside the wall-clock rate.
 * Linux only; the server's part is null when its processes are not visible (another machine, another namespace).
 */
const TICK = 100; // USER_HZ on Linux

function stat(pid: number): number[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ').map(Number); // fields from 3 (state) on
  } catch {
    return null;
  }
}

function serverTicks(postmaster: number): number | null {
  const pm = stat(postmaster);
  if (!pm) return null;
  let ticks = pm[11] + pm[12] + pm[13] + pm[14]; // utime stime cutime cstime
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat(Number(d));
    if (s && s[1] === postmaster) ticks += s[11] + s[12];
  }
  return ticks;
}

export async function cpuMeter(db: Db) {
  let postmaster: number | null = null;
  if (db.kind !== 'embedded') {
    const r = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    postmaster = stat(Number(r.rows[0].pid))?.[1] ?? null;
  }
  const sample = () => ({ app: process.cpuUsage(), db: postmaster ? serverTicks(postmaster) : null });
  const start = sample();
  return () => {
    const end = sample();
    const app = (end.app.user - start.app.user + end.app.system - start.app.system) / 1e6;
    const dbs = end.db != null && start.db != null ? (end.db - start.db) / TICK : null;
    return { app, db: dbs };
  };
}

export const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
