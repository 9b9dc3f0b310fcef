/**
 * A flow's own secrets: the host knows none of a flow's variables, so a factory names the secret
 * values it read (`secrets`), and the command scrubs them from its logs, its output, the dead
 * letters' reasons and every file it writes, as it does its own.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runDataflow } from './support/cli.js';
import { userProject } from './support/user-flow.js';

const KEY = `key-${randomBytes(12).toString('hex')}`;

/** A flow whose worker fails quoting the API key its factory read, as an error from a service may. */
const keyedFlow = (declares: string) => `
import { defineFlow, defineMediator, defineMessage, defineWorker, NonRetriableError } from 'dataflow';

const any = { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) } };
const PleaseCall = defineMessage('please-call', any);
const DidCall = defineMessage('did-call', any);

export default ({ settings }) => {
  const key = settings.env.MY_API_KEY;
  const caller = defineWorker({
    name: 'caller',
    accepts: PleaseCall,
    replies: DidCall,
    async handle() {
      throw new NonRetriableError('the service refused https://api.example.com/v1?key=' + encodeURIComponent(key) + ' (key ' + key + ')');
    },
  });
  return { flow: defineFlow({ name: 'keyed', workers: [caller], mediator: defineMediator({ name: 'mediator', rules: [] }) }), ${declares} };
};
`;

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function dataflow(dir: string, args: string[], input?: string) {
  return runDataflow(args, { cwd: dir, env: { DATAFLOW_DIR: join(dir, '.dataflow'), MY_API_KEY: KEY, DATAFLOW_LOG_LEVEL: 'debug' }, input, timeoutMs: 60_000 });
}

describe('secrets a flow declares', () => {
  it('are scrubbed from the logs, the output, the dead letter\'s reason and the data folder', async () => {
    const dir = await userProject({ 'flow.mjs': keyedFlow('secrets: [key]') });
    const sent = await dataflow(dir, ['send', '--flow', './flow.mjs', '-'], '{"type":"please-call"}');
    assert.equal(sent.code, 2, sent.stderr);
    assert.match(sent.stderr, /"msg":"dead-lettered"/, 'the logs are there, on stderr');
    const failed = await dataflow(dir, ['failed']);
    const [dead] = failed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { reason: string });
    assert.equal(dead!.reason, 'NonRetriableError: the service refused https://api.example.com/v1?key=[redacted] (key [redacted])');
    for (const [text, where] of [[sent.stdout, 'the output'], [sent.stderr, 'the logs'], [failed.stdout + failed.stderr, 'dataflow failed']] as const) {
      assert.ok(!text.includes(KEY), `the key is in ${where}`);
    }
    for (const file of await filesUnder(join(dir, '.dataflow'))) assert.ok(!(await readFile(file)).toString('latin1').includes(KEY), `the key is in ${file}`);
  });

  it('are scrubbed from the error of a worker run alone by invoke', async () => {
    const dir = await userProject({ 'flow.mjs': keyedFlow('secrets: [key]'), 'call.json': '{"type":"please-call"}' });
    const invoked = await dataflow(dir, ['invoke', 'caller', 'call.json', '--flow', './flow.mjs']);
    assert.equal(invoked.code, 1);
    assert.match(invoked.stderr, /dataflow: the service refused https:\/\/api\.example\.com\/v1\?key=\[redacted\] \(key \[redacted\]\)\n$/);
    assert.ok(!invoked.stderr.includes(KEY) && !invoked.stdout.includes(KEY));
  });

  it('are the flow\'s to name: undeclared, the same key reaches the reason', async () => {
    const dir = await userProject({ 'flow.mjs': keyedFlow('') });
    const sent = await dataflow(dir, ['send', '--flow', './flow.mjs', '-'], '{"type":"please-call"}');
    assert.equal(sent.code, 2, sent.stderr);
    assert.ok(sent.stderr.includes(KEY), 'the host scrubs nothing it was not told of');
  });

  it('must be a list of strings, or the command stops naming the module', async () => {
    const dir = await userProject({ 'flow.mjs': keyedFlow("secrets: 'not a list'") });
    const sent = await dataflow(dir, ['send', '--flow', './flow.mjs', '-'], '{"type":"please-call"}');
    assert.equal(sent.code, 1);
    assert.match(sent.stderr, /^dataflow: the flow module \.\/flow\.mjs \(--flow\): the secrets its function returned are a string, not an array of strings\n$/);
  });
});
