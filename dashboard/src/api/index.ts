/**
 * The one place that knows the server's URLs: pages call `api.*`; the calls live per area in this folder. A missing
 * endpoint (404/501) on a GET gives `null`, which pages show as 暂无数据.
 */
import type { Health } from '../../../contract/common';
import { post, type User } from './http';
import { collector, faro } from './collector';
import { alerts } from './alerts';
import { reporter } from './reporter';
import { system } from './system';
import { notices } from './notices';
import { calls } from './calls';
import { admin } from './admin';
import { config } from './config';

export { ApiError, setUnauthenticatedHandler, type Range, type Role, type User } from './http';

export const api = {
  login: (username: string, password: string) => post('/api/auth/login', { username, password }),
  logout: () => post('/api/auth/logout'),
  me: async (): Promise<User | null> => {
    const res = await fetch('/api/auth/session', { credentials: 'same-origin' });
    if (!res.ok) return null;
    return (await res.json()).user ?? null;
  },

  collector,
  alerts,
  reporter,
  faro,
  system,
  notices,
  calls,
  admin,
  config,

  health: async (): Promise<Health | null> => {
    const res = await fetch('/healthz');
    return res.json().catch(() => null);
  },
};
