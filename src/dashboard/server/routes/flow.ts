/** GET /api/meta (what this dashboard can do, and the flow's own views), /api/flow (the picture, with counts), /api/activity (the last hour, per minute). */
import { Hono } from 'hono';
import type { AuthEnv } from '../auth.js';
import type { DashboardContext } from '../context.js';
import { flowActivity, flowPicture } from '../flow-picture.js';
import { sharedAnswer } from '../shared-answer.js';

export const REDRIVE_UNAVAILABLE =
  'this process runs no consumers, so it cannot send dead letters again: run `dataflow redrive <id…>` where the flow runs, or open the dashboard of `dataflow run`';

export function flowRoutes(context: DashboardContext) {
  const { options, views, now, feed } = context;
  const { flow, state } = options;
  // Both scan much of the store: one computation per change, shared by every open page.
  const counts = sharedAnswer(feed, 'flow', () => state.counts());
  const activity = sharedAnswer(feed, 'flow', async () => {
    const at = now();
    const since = at - 60 * 60_000;
    return flowActivity(flow, await state.activity(since, 60_000), since, at, 60_000);
  }, 5000);
  return new Hono<AuthEnv>()
    .get('/api/meta', (c) =>
      c.json({
        name: flow.name,
        types: flow.types,
        consumers: flow.consumers().map((consumer) => consumer.name),
        views: views.map((view) => ({ id: view.id, title: view.title, description: view.description })),
        metrics: options.metrics !== undefined,
        redrive: options.redrive ? { available: true } : { available: false, reason: REDRIVE_UNAVAILABLE },
        live: options.onEvent ? 'events' : 'polling',
        access: c.get('access'),
      }),
    )
    .get('/api/flow', async (c) => c.json({ ...flowPicture(flow, await counts()), at: now() }))
    .get('/api/activity', async (c) => c.json(await activity()));
}
