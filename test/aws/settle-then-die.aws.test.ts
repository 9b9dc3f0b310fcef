/**
 * A host of the AWS handlers killed for real (SIGKILL) between settle and send: DynamoDB holds the
 * cause as done and its reply as pending, SQS holds the cause in flight and no reply. When the
 * cause's visibility timeout ends, a fresh host receives it again; its copy sends the reply, which
 * then runs exactly once, and nothing is left behind in the table or the queues.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { queueDepths, setUpQueues } from '../../src/adapters/sqs/queues.js';
import { derivedId, type FlowEvent } from '../../src/index.js';
import { openAwsRuntime } from '../../src/runtimes/aws/runtime.js';
import { readAwsSettings } from '../../src/runtimes/aws/settings.js';
import { setUpAws } from '../../src/runtimes/aws/setup.js';
import { startAwsWorld, type AwsWorld } from '../support/aws-weather.js';
import { skipWithoutMoto } from '../support/moto.js';
import { toyFlow } from '../support/toy-flow.js';

const child = fileURLToPath(new URL('./settle-then-die-child.ts', import.meta.url));
const flowModule = fileURLToPath(new URL('./toy-flow-module.ts', import.meta.url));
const reply = derivedId('cause', 0);
/** Short, so the dead host's message comes back within the test. */
const VISIBILITY_SECONDS = 2;

const skip = await skipWithoutMoto();
let world: AwsWorld | undefined;

before(async () => {
  if (skip) return;
  world = await startAwsWorld();
});
after(async () => world?.stop());

function runChild(env: Record<string, string>): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = execFile(process.execPath, ['--conditions=source', '--import', 'tsx', child], { env: { ...process.env, ...env }, timeout: 90_000 }, (_error, stdout, stderr) =>
      resolve({ signal: proc.signalCode, stdout, stderr }),
    );
  });
}

describe('a host of the AWS handlers killed between settle and send, on moto', { skip }, () => {
  it('the cause comes back after its visibility timeout, its copy sends the reply, and the reply runs once', { timeout: 120_000 }, async () => {
    const settings = readAwsSettings({ ...process.env, ...world!.env });
    const consumers = toyFlow().flow.consumers();
    await setUpAws({ settings, consumers });
    const sqs = new SQSClient({});
    try {
      await setUpQueues(consumers, { client: sqs, prefix: settings.names.prefix, visibilityTimeoutSeconds: VISIBILITY_SECONDS });

      const died = await runChild(world!.env);
      assert.equal(died.signal, 'SIGKILL', `the child died in its settle: ${died.stdout}${died.stderr}`);

      const runtime = await openAwsRuntime({ settings, flow: flowModule, waitTimeSeconds: 1 });
      const events: FlowEvent[] = [];
      runtime.on((event) => events.push(event));
      try {
        // What the dead host left: the settle committed, nothing was sent, the cause was never deleted.
        assert.equal((await runtime.state.get('cause'))?.status, 'done');
        assert.equal((await runtime.state.get(reply))?.status, 'pending', 'the reply was recorded in the settle');
        const names = consumers.map((c) => c.name);
        const left = await queueDepths(names, { client: sqs, prefix: settings.names.prefix });
        assert.deepEqual(
          left.map((d) => [d.consumer, d.waiting + d.inFlight + d.delayed]),
          names.map((name) => [name, name === 'doubler' ? 1 : 0]),
          'the cause is still in its queue and its reply was never sent',
        );

        // Nobody sends anything: the cause's visibility timeout brings it back to the fresh host.
        await runtime.start();
        await runtime.settled(['cause'], { timeoutMs: 60_000 });
        await runtime.idle();

        assert.equal(events.filter((e) => e.kind === 'duplicate' && e.id === 'cause').length, 1, 'the cause came back once, as a copy of a done message');
        assert.equal(events.filter((e) => e.kind === 'received' && e.message.id === 'cause').length, 0, 'the cause did not run again');
        assert.equal(events.filter((e) => e.kind === 'done' && e.message.id === reply).length, 1, 'the reply was handled exactly once');
        const reports = await runtime.state.find({ type: 'did-report' });
        assert.deepEqual(reports.map((m) => [m.status, (m.body as { text?: string }).text]), [['done', '3 doubled is 6']]);
        assert.deepEqual(await runtime.state.find({ status: 'pending' }), []);
        assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
        const depths = await queueDepths(names, { client: sqs, prefix: settings.names.prefix });
        assert.ok(depths.every((d) => d.waiting + d.inFlight + d.delayed + d.deadLetters === 0), JSON.stringify(depths));
      } finally {
        await runtime.stop();
      }
    } finally {
      sqs.destroy();
    }
  });
});
