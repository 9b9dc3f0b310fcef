/** What every route of the dashboard is given. */
import type { FlowView } from '../../core/flow-view.js';
import type { DashboardOptions } from '../server.js';
import type { ChangeFeed } from './change-feed.js';

export interface DashboardContext {
  options: DashboardOptions;
  /** The flow's own views, checked. */
  views: readonly FlowView[];
  token?: string;
  /** True when the dashboard listens on loopback only. */
  loopback: boolean;
  now: () => number;
  feed: ChangeFeed;
}
