/** GET /metrics: the Prometheus text exposition, when the process has metrics. */
import { Hono } from 'hono';
import type { AuthEnv } from '../auth.js';
import type { DashboardContext } from '../context.js';

export function metricsRoutes(context: DashboardContext) {
  const { metrics } = context.options;
  return new Hono<AuthEnv>().get('/metrics', async (c) => {
    if (!metrics) return c.text('this process has no metrics\n', 404);
    return c.body(await metrics.metrics(), 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
  });
}
