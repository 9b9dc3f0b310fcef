/**
 * `dataflow dashboard [--port n]`: the dashboard alone, on the flow's state. On the cluster
 * runtime it can re-drive dead letters (other processes do the work); on the embedded runtime it
 * only reads, since the process running the flow owns the data folder.
 */
import { diskBlobStore } from '../../adapters/disk/blob-store.js';
import { openBlobStore } from '../../adapters/s3/blobs-url.js';
import { outboxMailer } from '../../adapters/mail/outbox-mailer.js';
import { embeddedPaths } from '../../embedded.js';
import { runtimeDefaults } from '../../runtimes/env.js';
import { openApp, openState, provideChosenFlow } from '../app.js';
import { serveDashboard } from '../dashboard.js';
import type { Settings } from '../settings.js';

/** `port`: `--port`, else the settings' port; when that is off, the default, since serving is all this does. */
export async function dashboardCommand(settings: Settings, options: { port?: number; flow?: string }): Promise<number> {
  const port = options.port ?? settings.dashboard.port ?? runtimeDefaults.dashboardPort;
  const address = { ...settings.dashboard, port };
  const say = (text: string) => process.stderr.write(`${text}\n`);
  let close: () => Promise<void>;
  let dashboard;
  if (settings.runtime !== 'embedded') {
    const app = await openApp(settings, { roles: [], flow: options.flow });
    const { runtime } = app;
    await runtime.start();
    dashboard = await serveDashboard({ state: runtime.state, flow: runtime.flow, views: app.provided.views, blobs: runtime.blobs, seesEverything: false, redrive: runtime.redrive }, address, say);
    close = () => app.close();
  } else {
    const paths = embeddedPaths(settings.dir);
    const blobs = settings.blobsUrl
      ? await openBlobStore(settings.blobsUrl, { presignExpiresInSeconds: settings.linkExpiresSeconds, forcePathStyle: settings.s3PathStyle })
      : diskBlobStore(paths.blobs, { staleTemporaryMs: Number.POSITIVE_INFINITY });
    // The flow only gives the picture its shape and its views here (which read the dashboard's
    // state, not what the factory opened): nothing runs, so what it opened closes now.
    const provided = await provideChosenFlow(settings, options.flow, { mailer: outboxMailer(paths.outbox), blobs });
    await provided.close?.();
    const state = await openState(settings);
    dashboard = await serveDashboard({ state, flow: provided.flow, views: provided.views, blobs, seesEverything: false }, address, say);
    close = () => state.close();
  }
  if (!dashboard) {
    await close();
    return 1;
  }
  say('Ctrl-C stops.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dashboard.close();
  await close();
  return 0;
}
