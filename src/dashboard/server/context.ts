/** What every route of the dashboard is given. */
import type { DashboardOptions } from '../server.js';
import type { ChangeFeed } from './change-feed.js';

export interface DashboardContext {
  options: DashboardOptions;
  token?: string;
  /** True when the dashboard listens on loopback only. */
  loopback: boolean;
  now: () => number;
  feed: ChangeFeed;
}
