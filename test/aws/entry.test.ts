/** `dataflow/aws` is a public entry point holding the AWS adapters; the root entry stays without the AWS SDK. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';

const blocker = new URL('../support/block-packages.mjs', import.meta.url).href;

function run(code: string, blocked?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const args = ['--conditions=source', '--import', import.meta.resolve('tsx'), '--import', blocker, '--input-type=module', '-e', code];
    const env = { ...process.env, DATAFLOW_BLOCKED: blocked ?? 'no-such-package-blocked' };
    execFile(process.execPath, args, { cwd: new URL('../..', import.meta.url), env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('the dataflow/aws entry point', () => {
  it('exports the SQS transport and its event source host, queue set-up, the SES mailer, S3 and the secrets', async () => {
    const { code, stdout, stderr } = await run(`
      const aws = await import('dataflow/aws');
      const names = ['sqsTransport', 'sqsSender', 'hostEventSources', 'deliveryBatchHandler', 'batchResponseOf', 'sqsVisibility', 'setUpQueues', 'queueDepths', 'sesMailer', 's3BlobStore', 'secretSettingsReader', 'storeSecretSettings', 'awsPrefix'];
      console.log(names.filter((name) => typeof aws[name] !== 'function').join(',') || 'all there');
    `);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), 'all there');
  });

  it('needs the AWS SDK, which the root entry does not', async () => {
    const aws = await run(`await import('dataflow/aws');`, '@aws-sdk/');
    assert.notEqual(aws.code, 0);
    assert.match(aws.stderr, /Cannot find package "@aws-sdk\/[a-z0-9-]+" \(blocked\)/);
    const root = await run(`const { defineFlow } = await import('dataflow'); console.log(typeof defineFlow);`, '@aws-sdk/,@aws-lambda-powertools/');
    assert.equal(root.code, 0, root.stderr);
    assert.equal(root.stdout.trim(), 'function');
  });
});
