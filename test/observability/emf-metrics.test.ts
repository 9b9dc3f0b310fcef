/** The EMF lines an invocation writes: the names, units and dimensions the stack reads, and nothing carried between invocations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowEvent, Message } from '../../src/index.js';
import { METRICS, METRIC_NAMESPACE } from '../../src/observability/cloudwatch-names.js';
import { createEmfMetrics } from '../../src/observability/emf-metrics.js';
import { readEmf, sumOf, valuesOf } from '../support/emf.js';

const message = (type: string, id: string): Message => ({ type, id }) as Message;
const done = (consumer: string, type: string, durationMs: number): FlowEvent => ({ kind: 'done', consumer, message: message(type, `${type}-${durationMs}`), durationMs, sent: [] });

function recorder() {
  const lines: string[] = [];
  const metrics = createEmfMetrics({ service: 'dev', write: (line) => lines.push(line), redact: (text) => text.replaceAll('hunter22', '[redacted]') });
  return { metrics, lines, data: () => readEmf(lines.join('\n')) };
}

describe('EMF metrics of an invocation', () => {
  it('counts messages by consumer and by type with their outcome, keeps each duration and GIF size, in the names the stack reads', async () => {
    const { metrics, data } = recorder();
    await metrics.around({ requestId: 'r-1' }, async () => {
      metrics.listen(done('thumbnailer', 'please-create-thumbnail', 40));
      metrics.listen(done('thumbnailer', 'please-create-thumbnail', 60));
      metrics.listen({ kind: 'retry', consumer: 'thumbnailer', message: message('please-create-thumbnail', 'x'), attempt: 1, delayMs: 1000, reason: 'busy' });
      metrics.listen({ kind: 'dead', consumer: 'thumbnailer', id: 'y', type: 'please-create-thumbnail', reason: 'no image' });
      metrics.listen({ kind: 'duplicate', consumer: 'thumbnailer', id: 'z', type: 'please-create-thumbnail' });
      metrics.listen({ kind: 'stored', consumer: 'gif-creator', key: 'gif-creator/a.gif', bytes: 12_345 });
      metrics.listen({ kind: 'stored', consumer: 'thumbnailer', key: 'thumbnailer/a.png', bytes: 999 });
    });
    const emf = data();
    for (const datum of emf) {
      const spec = Object.values(METRICS).find((m) => m.name === datum.name)!;
      assert.ok(spec, `a known metric: ${datum.name}`);
      assert.equal(datum.namespace, METRIC_NAMESPACE);
      assert.equal(datum.unit, spec.unit);
      assert.deepEqual(datum.dimensionSets, [spec.dimensions], `${datum.name}'s one dimension set`);
      assert.equal(datum.dimensions.service, 'dev');
      assert.equal(datum.line.requestId, 'r-1');
    }
    assert.deepEqual(valuesOf(emf, 'Messages', { consumer: 'thumbnailer', outcome: 'done' }), [2], 'counts are summed in the invocation');
    for (const outcome of ['retry', 'dead', 'duplicate']) assert.equal(sumOf(emf, 'Messages', { consumer: 'thumbnailer', outcome }), 1, outcome);
    assert.equal(sumOf(emf, 'MessagesByType', { type: 'please-create-thumbnail', outcome: 'done' }), 2);
    assert.deepEqual(valuesOf(emf, 'HandlerDuration', { consumer: 'thumbnailer' }), [40, 60]);
    assert.equal(sumOf(emf, 'DeadLetters', { consumer: 'thumbnailer' }), 1);
    assert.deepEqual(valuesOf(emf, 'GifBytes'), [12_345], 'only GIFs');
  });

  it('writes when the invocation throws, keeps invocations at once apart, and counts nothing outside one', async () => {
    const { metrics, data } = recorder();
    metrics.listen(done('mediator', 'outside', 1));
    const slow = metrics.around({ requestId: 'slow' }, async () => {
      metrics.listen(done('mediator', 'a', 5));
      await new Promise((resolve) => setTimeout(resolve, 30));
      metrics.listen(done('mediator', 'a', 6));
    });
    const failing = metrics.around({ requestId: 'failing' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      metrics.listen({ kind: 'dead', consumer: 'mediator', id: 'p', type: 'b', reason: 'bad' });
      throw new Error('the handler died');
    });
    await assert.rejects(failing, /the handler died/);
    await slow;
    const emf = data();
    const of = (requestId: string) => emf.filter((d) => d.line.requestId === requestId);
    assert.equal(sumOf(of('slow'), 'Messages'), 2);
    assert.equal(sumOf(of('failing'), 'Messages'), 1);
    assert.equal(sumOf(of('failing'), 'DeadLetters', { consumer: 'mediator' }), 1, 'a handler that throws still flushes');
    assert.equal(valuesOf(emf, 'MessagesByType', { type: 'outside' }).length, 0);
    await metrics.around({ requestId: 'next' }, async () => {});
    assert.equal(data().filter((d) => d.line.requestId === 'next').length, 0, 'nothing carried into the next invocation');
  });

  it('carries nothing of an invocation into the next, not even of one whose line could not be written', async () => {
    const lines: string[] = [];
    let failures = 1;
    const write = (line: string) => {
      if (failures-- > 0) throw new Error('disk full');
      lines.push(line);
    };
    const metrics = createEmfMetrics({ service: 'dev', write });
    await metrics.around({ requestId: 'unwritten' }, async () => metrics.listen(done('mediator', 'a', 7)));
    await metrics.around({ requestId: 'first' }, async () => metrics.listen(done('mediator', 'a', 8)));
    await metrics.around({}, async () => metrics.listen(done('mediator', 'a', 9)));
    const emf = readEmf(lines.join('\n'));
    const durations = emf.filter((d) => d.name === 'HandlerDuration');
    assert.deepEqual(durations.map((d) => [d.values, d.line.requestId]), [[[8], 'first'], [[9], undefined]]);
    assert.deepEqual(valuesOf(emf, 'Messages', { consumer: 'mediator', outcome: 'done' }), [1, 1]);
    assert.ok(emf.every((d) => d.line.requestId !== 'unwritten'), 'the unwritten line stays unwritten');
  });

  it('writes a series of many values as several lines, each through the scrubber and the destination', async () => {
    const { metrics, lines, data } = recorder();
    const printed: string[] = [];
    const write = process.stdout.write;
    // Powertools would print a series that reaches 100 values itself, on stdout.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (String(chunk).includes('"_aws"')) return printed.push(String(chunk)) > 0;
      return (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      await metrics.around({ requestId: 'busy' }, async () => {
        for (let i = 1; i <= 250; i++) metrics.listen(done('mediator-hunter22', 'a', i));
      });
    } finally {
      process.stdout.write = write;
    }
    assert.deepEqual(printed, [], 'nothing went around the destination');
    const durations = data().filter((d) => d.name === 'HandlerDuration');
    assert.deepEqual(durations.flatMap((d) => d.values), Array.from({ length: 250 }, (_, i) => i + 1), 'every value, in order');
    assert.ok(durations.every((d) => d.values.length < 100 && d.line.requestId === 'busy'));
    assert.ok(lines.every((line) => !line.includes('hunter22')));
  });

  it('scrubs known secrets from the lines', async () => {
    const { metrics, lines } = recorder();
    await metrics.around({}, async () => metrics.listen(done('mediator', 'type-hunter22', 1)));
    assert.ok(lines.length > 0);
    assert.ok(lines.every((line) => !line.includes('hunter22')), lines.join('\n'));
  });
});
