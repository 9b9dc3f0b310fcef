/**
 * The weather flow's stack for the deploy tests: the flow loaded as `dataflow deploy aws` loads it
 * (its module's factory, offline), described, and its stage's stack made in an app whose cloud
 * assembly goes to a temporary folder. Synthesizing is slow (esbuild, the asset, CDK's own
 * template checks), so a test file makes it once.
 */
import { App } from 'aws-cdk-lib';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { capturingMailer } from '../../src/adapters/memory/mailer.js';
import { provideFlow } from '../../src/core/flow-module.js';
import { describeFlow } from '../../src/deploy/aws/deployed-flow.js';
import { addDeployment } from '../../src/deploy/aws/synthesize.js';
import weatherModule from '../../examples/weather/index.js';

export const WEATHER_MODULE = fileURLToPath(new URL('../../examples/weather/index.ts', import.meta.url));
export const SES_FROM = 'gifs@example.com';

export async function weatherDeployment() {
  const provided = await provideFlow(weatherModule, { mailer: capturingMailer(), blobs: memoryBlobStore(), settings: { config: {}, env: {} } });
  await provided.close?.();
  return { flow: provided.flow, deployed: describeFlow(provided.flow, { sesFrom: SES_FROM }) };
}

export async function weatherStack(stage = 'dev') {
  const { flow, deployed } = await weatherDeployment();
  const outdir = mkdtempSync(join(tmpdir(), 'dataflow-stack-'));
  const app = new App({ outdir, analyticsReporting: false });
  const { stack } = addDeployment(app, { stage, flow: deployed, flowModule: WEATHER_MODULE, sesFrom: SES_FROM });
  return { app, stack, flow, deployed, outdir };
}
