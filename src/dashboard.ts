/**
 * `dataflow/dashboard`: the web page over a flow's state (its picture, messages, dead letters,
 * metrics, and the views the flow contributes: `FlowView`, exported by `dataflow`).
 */
export { startDashboard, type Dashboard, type DashboardOptions } from './dashboard/server.js';
export { createMetrics } from './observability/metrics.js';
