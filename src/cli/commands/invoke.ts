/** `dataflow invoke <worker> <file>`: runs one worker on one message and prints its reply. */
import { invokeWorker } from '../../index.js';
import { consumerAccess } from '../../core/flow-access.js';
import { openApp } from '../app.js';
import { readMessages } from './read-input.js';
import type { Settings } from '../settings.js';

export async function invokeCommand(settings: Settings, workerName: string, source: string, options: { flow?: string } = {}): Promise<number> {
  const [input, ...more] = await readMessages(source);
  if (more.length > 0) throw new Error(`invoke takes one message; ${source} holds ${more.length + 1}`);
  const app = await openApp(settings, { flow: options.flow });
  try {
    const worker = app.runtime.flow.workers.find((w) => w.name === workerName);
    if (!worker) throw new Error(`no worker named ${workerName}; the workers are ${app.runtime.flow.workers.map((w) => w.name).join(', ')}`);
    const access = consumerAccess(app.runtime.flow, worker.name);
    const reply = await invokeWorker(worker, input, { blobs: app.runtime.blobs, bucket: 'dataflow', access }).catch((error: Error) => {
      // The runtime scrubs the reasons it records; here the worker's error goes to the terminal.
      throw new Error(app.redact(error.message), { cause: error });
    });
    process.stdout.write(`${JSON.stringify(reply, null, process.stdout.isTTY ? 2 : undefined)}\n`);
    return 0;
  } finally {
    await app.close();
  }
}
