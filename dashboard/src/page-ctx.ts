/** What every page is given (the router's route and range, the user), and the settings the server put in the page. */
import type { Route } from './router';
import type { User } from './api';

export interface Settings {
  title: string;
  refreshSeconds: number;
  faro: { url: string; apiKey: string; app: string } | null;
}

export interface PageCtx {
  route: Route;
  range: { key: string; from: number; to: number };
  user: User;
  /** Mirrors core/auth/roles.ts for showing or hiding action buttons; the server decides. */
  can(perm: string): boolean;
  rerender(): void;
}
