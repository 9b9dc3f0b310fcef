/** `dataflow/dashboard`: the web page over a flow's state (its picture, messages, dead letters, metrics). */
export { startDashboard, type Dashboard, type DashboardOptions, type GalleryItem } from './dashboard/server.js';
export { createMetrics } from './observability/metrics.js';
