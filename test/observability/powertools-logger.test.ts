/** The Logger port on Powertools Logger: its JSON lines, the Lambda context on every one, and no secret in any. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPowertoolsLogger, type LambdaInvocationContext } from '../../src/observability/powertools-logger.js';

function sinks() {
  const out: string[] = [];
  const err: string[] = [];
  const parse = (lines: string[]) => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) }, lines: () => ({ out: parse(out), err: parse(err), raw: [...out, ...err].join('') }) };
}

const invocation = (awsRequestId: string): LambdaInvocationContext => ({
  awsRequestId,
  functionName: 'dev-mediator',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dev-mediator',
  memoryLimitInMB: '512',
});

describe('the Powertools logger behind the Logger port', () => {
  it("writes Powertools' JSON lines, info to stdout and warnings to stderr, each with the invocation's request id, also from children made before", () => {
    const { out, err, lines } = sinks();
    const log = createPowertoolsLogger({ service: 'dev', level: 'debug', out, err });
    const child = log.child({ consumer: 'mediator' });
    log.addContext(invocation('req-1'));
    child.child({ messageId: 'm-1', type: 'did-fetch-amp-image', attempt: 2 }).info({ durationMs: 12 }, 'handled');
    log.addContext(invocation('req-2'));
    child.warn({ messageId: 'm-2' }, 'failed; will retry');
    const { out: info, err: warnings } = lines();
    assert.equal(info.length, 1);
    assert.equal(warnings.length, 1);
    assert.deepEqual(
      { ...info[0], timestamp: undefined, cold_start: typeof info[0]!.cold_start },
      {
        level: 'INFO',
        message: 'handled',
        service: 'dev',
        timestamp: undefined,
        cold_start: 'boolean',
        function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:dev-mediator',
        function_memory_size: '512',
        function_name: 'dev-mediator',
        function_request_id: 'req-1',
        consumer: 'mediator',
        messageId: 'm-1',
        type: 'did-fetch-amp-image',
        attempt: 2,
        durationMs: 12,
        sampling_rate: 0,
      },
    );
    assert.equal(warnings[0]!.level, 'WARN');
    assert.equal(warnings[0]!.function_request_id, 'req-2');
    assert.equal(warnings[0]!.consumer, 'mediator');
  });

  it('no secret reaches a line: not in a value, a key, a child field, a nested object or an error', () => {
    const { out, err, lines } = sinks();
    const secret = 'aeris-S3cret/value';
    const log = createPowertoolsLogger({ service: 'dev', level: 'debug', out, err, secrets: [secret] });
    log.addContext(invocation(`req-${secret}`));
    const child = log.child({ url: `https://api.example.com/?client_secret=${encodeURIComponent(secret)}` });
    child.info({ [secret]: 1, nested: { deeper: [secret] } }, `message with ${secret}`);
    child.error({ error: new Error(`failed with ${secret}`) }, 'dead-lettered');
    const { raw, out: info, err: errors } = lines();
    assert.equal(info.length + errors.length, 2);
    assert.ok(!raw.includes(secret) && !raw.includes(encodeURIComponent(secret)), raw);
    assert.match(raw, /\[redacted\]/);
  });

  it('honours the level', () => {
    const { out, err, lines } = sinks();
    const log = createPowertoolsLogger({ service: 'dev', level: 'warn', out, err });
    log.info({}, 'not shown');
    log.debug({}, 'not shown');
    log.error({}, 'shown');
    assert.deepEqual([...lines().out, ...lines().err].map((l) => l.message), ['shown']);
  });
});
