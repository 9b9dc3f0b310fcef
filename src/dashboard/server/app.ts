/** The dashboard's Hono app: security headers, auth, then the routes. */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { FlowView } from '../../core/flow-view.js';
import type { DashboardOptions } from '../server.js';
import { authMiddleware, type AuthEnv } from './auth.js';
import type { ChangeFeed } from './change-feed.js';
import type { DashboardContext } from './context.js';
import { blobRoutes } from './routes/blobs.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { eventRoutes } from './routes/events.js';
import { flowRoutes } from './routes/flow.js';
import { messageRoutes } from './routes/messages.js';
import { metricsRoutes } from './routes/metrics.js';
import { staticRoutes } from './routes/static.js';
import { viewRoutes } from './routes/views.js';

export function createDashboardApp(input: { options: DashboardOptions; views: readonly FlowView[]; token?: string; loopback: boolean; now: () => number; feed: ChangeFeed }) {
  const context: DashboardContext = input;
  const app = new Hono<AuthEnv>();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
      xContentTypeOptions: 'nosniff',
      strictTransportSecurity: false, // plain HTTP: the header would mean nothing
      crossOriginResourcePolicy: 'same-origin',
    }),
  );
  app.use(authMiddleware({ token: input.token, loopback: input.loopback, now: input.now }));
  app.route('/', flowRoutes(context));
  app.route('/', messageRoutes(context));
  app.route('/', deadLetterRoutes(context));
  app.route('/', viewRoutes(context));
  app.route('/', eventRoutes(context));
  app.route('/', blobRoutes(context));
  app.route('/', metricsRoutes(context));
  app.route('/', staticRoutes());
  app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404) : c.text('not found\n', 404)));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    return c.json({ error: error.message }, 500);
  });
  return app;
}
