import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreRefusedError, createRuntime, defineFlow, defineMediator, type Message } from '../../src/index.js';
import { openEmbeddedRuntime } from '../../src/embedded.js';
import { toyFlow, toyRuntime } from '../support/toy-flow.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { inProcessTransport } from '../../src/adapters/in-process/transport.js';

describe('a flow in the runtime', () => {
  it('runs a message through worker and mediator, recording every message in and out', async () => {
    const { runtime } = await toyRuntime();
    const { accepted } = await runtime.send([{ type: 'please-double', n: 21 }]);
    await runtime.idle();
    const [request] = accepted;
    assert.ok(request?.id, 'an id is assigned when missing');
    assert.equal(typeof request.dateCreated, 'number');
    const done = await runtime.state.find({ status: 'done' });
    assert.deepEqual(done.map((m) => m.type).sort(), ['did-double', 'did-report', 'please-double', 'please-report']);
    const report = done.find((m) => m.type === 'did-report')!;
    assert.equal((report.body as Message).text, '21 doubled is 42');
    const reply = done.find((m) => m.type === 'did-double')!;
    assert.equal(reply.causedBy, request.id, 'the reply records its cause');
    await runtime.stop();
  });

  it('dead-letters invalid JSON, unknown types and bad fields with reasons that name them, and goes on', async () => {
    const { runtime } = await toyRuntime();
    const { rejected } = await runtime.send([
      '{"type": "please-double", "n": ',
      { type: 'please-triple', n: 1 },
      { type: 'please-double', n: 'seven' },
      { type: 'please-double' },
      { type: 'please-double', n: 4 },
    ]);
    await runtime.idle();
    assert.equal(rejected.length, 4);
    assert.match(rejected[0]!.reason, /not valid JSON/);
    assert.match(rejected[1]!.reason, /unknown message type "please-triple"/);
    assert.match(rejected[2]!.reason, /please-double .*n: .*expected number/i);
    assert.match(rejected[3]!.reason, /n: /);
    const dead = await runtime.state.find({ status: 'dead' });
    assert.equal(dead.length, 4, 'every rejected input is kept');
    assert.deepEqual(dead[0]!.body, { raw: '{"type": "please-double", "n": ' }, 'text that never parsed is kept as it came');
    for (const r of rejected.slice(1)) assert.ok(r.reason.includes(r.id), `the reason names the id it is kept under: ${r.reason}`);
    const reports = await runtime.state.find({ type: 'did-report' });
    assert.equal(reports.length, 1, 'the valid message still went through');
    await runtime.stop();
  });

  it('retries a failing handler with backoff, then succeeds', async () => {
    const { runtime, events, calls } = await toyRuntime();
    await runtime.send([{ type: 'please-double', n: 5, fail: 'twice' }]);
    await runtime.idle();
    assert.equal(calls.get(5), 3);
    assert.deepEqual(events.filter((e) => e.kind === 'retry').map((e) => e.kind === 'retry' && e.attempt), [1, 2]);
    assert.equal((await runtime.state.find({ type: 'did-report' })).length, 1);
    await runtime.stop();
  });

  it('dead-letters after the last try, and at once for a non-retriable error, blocking nothing', async () => {
    const { runtime, calls } = await toyRuntime();
    await runtime.send([
      { type: 'please-double', n: 1, fail: 'always' },
      { type: 'please-double', n: 2, fail: 'fatal' },
      { type: 'please-double', n: 3 },
    ]);
    await runtime.idle();
    assert.equal(calls.get(1), 3, 'maxAttempts tries');
    assert.equal(calls.get(2), 1, 'no retry for a non-retriable error');
    const dead = await runtime.state.find({ status: 'dead' });
    assert.deepEqual(dead.map((m) => (m.body as Message).n).sort(), [1, 2]);
    assert.match(dead.find((m) => (m.body as Message).n === 1)!.reason!, /flaky failure 3.*after 3 attempts/);
    assert.match(dead.find((m) => (m.body as Message).n === 2)!.reason!, /NonRetriableError: this input can never work/);
    assert.equal((await runtime.state.find({ type: 'did-report' })).length, 1);
    await runtime.stop();
  });

  it('processes a message delivered twice once', async () => {
    const { runtime, calls } = await toyRuntime();
    const message = { type: 'please-double', id: 'same-id', n: 8 };
    await runtime.send([message, message]);
    await runtime.idle();
    await runtime.send([message]);
    await runtime.idle();
    assert.equal(calls.get(8), 1);
    assert.equal((await runtime.state.find({ type: 'did-report' })).length, 1);
    await runtime.stop();
  });

  it('re-drives a dead letter to completion once its cause is mended', async () => {
    const { runtime, calls, broken } = await toyRuntime();
    broken.add(10);
    const { accepted } = await runtime.send([{ type: 'please-double', n: 10, fail: 'while-broken' }]);
    await runtime.idle();
    const id = accepted[0]!.id;
    assert.equal((await runtime.state.get(id))?.status, 'dead');
    assert.equal(calls.get(10), 3);
    broken.delete(10);
    const revived = await runtime.redrive([id]);
    assert.deepEqual(revived.map((m) => m.id), [id]);
    await runtime.idle();
    assert.equal((await runtime.state.get(id))?.status, 'done');
    assert.equal((await runtime.state.find({ type: 'did-report' })).length, 1);
    await runtime.stop();
  });
});

describe('what must never lose or repeat a message', () => {
  it('a throwing event listener changes nothing', async () => {
    const { runtime } = await toyRuntime();
    runtime.on(() => {
      throw new Error('a listener bug');
    });
    await runtime.send([{ type: 'please-double', n: 3 }]);
    await runtime.idle();
    assert.deepEqual((await runtime.state.find({ status: 'pending' })).map((m) => m.type), []);
    assert.equal((await runtime.state.find({ type: 'did-report' })).length, 1);
    await runtime.stop();
  });

  it('an invalid input that reuses a finished message\'s id leaves that message alone', async () => {
    const { runtime, calls } = await toyRuntime();
    await runtime.send([{ type: 'please-double', id: 'taken', n: 6 }]);
    await runtime.idle();
    const { rejected } = await runtime.send([{ type: 'please-double', id: 'taken', n: 'six' }]);
    assert.equal(rejected.length, 1);
    assert.notEqual(rejected[0]!.id, 'taken');
    assert.match(rejected[0]!.reason, /its id taken was already taken/);
    assert.equal((await runtime.state.get('taken'))?.status, 'done');
    await runtime.redrive('all');
    await runtime.idle();
    assert.equal(calls.get(6), 1, 'the finished message did not run again');
    await runtime.stop();
  });

  it('a store that refuses an outcome for good dead-letters the message instead of retrying forever', async () => {
    const { flow, calls } = toyFlow();
    const state = openSqliteStateStore(':memory:');
    const refusing = {
      ...state,
      async settle(...args: Parameters<typeof state.settle>) {
        if (args[1].status === 'done' && args[0] === 'refused') throw new StoreRefusedError('invalid byte sequence', { cause: Object.assign(new Error('invalid byte sequence'), { code: '22021' }) });
        return state.settle(...args);
      },
    };
    const runtime = createRuntime({ flow, state: refusing, blobs: diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-refuse-'))), transport: inProcessTransport(), retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    await runtime.start();
    await runtime.send([{ type: 'please-double', id: 'refused', n: 4 }, { type: 'please-double', n: 5 }]);
    await runtime.idle();
    const dead = await state.get('refused');
    assert.equal(dead?.status, 'dead');
    assert.match(dead?.reason ?? '', /state store could not record the outcome: .*invalid byte sequence/);
    assert.equal(calls.get(4), 1, 'handled once, not again and again');
    assert.equal((await state.find({ type: 'did-report' })).length, 1, 'the other message went through');
    await runtime.stop();
  });

  it('a store error that is not typed as refused is retried, whatever codes it carries: the core knows no backend\'s codes', async () => {
    const { flow, calls } = toyFlow();
    const state = openSqliteStateStore(':memory:');
    let failures = 0;
    const flaky = {
      ...state,
      async settle(...args: Parameters<typeof state.settle>) {
        if (args[1].status === 'done' && args[0] === 'flaky' && failures++ === 0) throw Object.assign(new Error('invalid byte sequence'), { code: '22021' });
        return state.settle(...args);
      },
    };
    const runtime = createRuntime({ flow, state: flaky, blobs: diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-untyped-'))), transport: inProcessTransport(), retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    await runtime.start();
    await runtime.send([{ type: 'please-double', id: 'flaky', n: 4 }]);
    await runtime.idle();
    assert.equal((await state.get('flaky'))?.status, 'done', 'delivered again, and done the second time');
    assert.equal(calls.get(4), 2);
    await runtime.stop();
  });

  it('a NUL character is refused with a reason, and the dead letter is still kept', async () => {
    const { runtime } = await toyRuntime();
    const { rejected } = await runtime.send([{ type: 'please-report', text: 'a\u0000b' }, '{"type":"please-report","text":"\\u0000"']);
    assert.equal(rejected.length, 2);
    assert.match(rejected[0]!.reason, /NUL character/);
    const kept = await runtime.state.get(rejected[0]!.id);
    assert.equal((kept?.body as Message).text, 'a\ufffdb');
    await runtime.stop();
  });

  it('a message whose payload has a field named raw survives a re-drive', async () => {
    const { runtime, broken } = await toyRuntime();
    broken.add(12);
    const { accepted } = await runtime.send([{ type: 'please-double', n: 12, fail: 'while-broken', raw: 'a payload field' }]);
    await runtime.idle();
    assert.equal((await runtime.state.get(accepted[0]!.id))?.status, 'dead');
    broken.delete(12);
    await runtime.redrive('all');
    await runtime.idle();
    assert.equal((await runtime.state.get(accepted[0]!.id))?.status, 'done', 'it is not mistaken for text that never parsed');
    await runtime.stop();
  });
});

describe('the embedded runtime', () => {
  it('refuses a second runtime on the same data folder, naming the process that holds it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-lock-'));
    const flow = () => defineFlow({ name: 'empty', workers: [], mediator: defineMediator({ name: 'mediator', rules: [] }) });
    const first = openEmbeddedRuntime(flow, { dir });
    assert.throws(() => openEmbeddedRuntime(flow, { dir }), new RegExp(`in use by dataflow process ${process.pid}`));
    await first.stop();
    await openEmbeddedRuntime(flow, { dir }).stop();
    await writeFile(join(dir, 'lock'), '999999999'); // a PID file an earlier version left behind decides nothing
    await openEmbeddedRuntime(flow, { dir }).stop();
  });
});
