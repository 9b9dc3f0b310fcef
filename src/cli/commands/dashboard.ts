/**
 * `dataflow dashboard [--port n]`: the dashboard alone, on the flow's state. On the cluster
 * runtime it can re-drive dead letters (other processes do the work); on the embedded runtime it
 * only reads, since the process running the flow owns the data folder.
 */
import { diskBlobStore } from '../../adapters/disk/blob-store.js';
import { openBlobStore } from '../../adapters/s3/blobs-url.js';
import { outboxMailer } from '../../adapters/mail/outbox-mailer.js';
import { provideFlow } from '../../index.js';
import { embeddedPaths } from '../../embedded.js';
import { readConfigFile } from '../config-file.js';
import { chooseFlow, importFlow } from '../load-flow.js';
import { runtimeEnv } from '../../runtimes/env.js';
import { openApp, openState } from '../app.js';
import { dashboardPort, serveDashboard } from '../dashboard.js';

export async function dashboardCommand(options: { port?: string; flow?: string }): Promise<number> {
  const port = dashboardPort(options.port) ?? 7070;
  const say = (text: string) => process.stderr.write(`${text}\n`);
  let close: () => Promise<void>;
  let dashboard;
  if (process.env[runtimeEnv.databaseUrl]) {
    const app = await openApp({ roles: [], flow: options.flow });
    const { runtime } = app;
    await runtime.start();
    dashboard = await serveDashboard({ state: runtime.state, flow: runtime.flow, views: app.provided.views, blobs: runtime.blobs, seesEverything: false, redrive: runtime.redrive }, port, say);
    close = () => app.close();
  } else {
    const paths = embeddedPaths();
    const configFile = readConfigFile();
    const choice = chooseFlow(options.flow, configFile);
    const source = await importFlow(choice);
    const blobsUrl = process.env[runtimeEnv.blobs];
    const blobs = blobsUrl ? await openBlobStore(blobsUrl) : diskBlobStore(paths.blobs, { staleTemporaryMs: Number.POSITIVE_INFINITY });
    // The flow only gives the picture its shape and its views here (which read the dashboard's
    // state, not what the factory opened): nothing runs, so what it opened closes now.
    const provided = await provideFlow(source, { mailer: outboxMailer(paths.outbox), blobs, settings: { config: configFile.values, configFile: configFile.file, env: process.env } }, choice.name);
    await provided.close?.();
    const state = await openState();
    dashboard = await serveDashboard({ state, flow: provided.flow, views: provided.views, blobs, seesEverything: false }, port, say);
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
