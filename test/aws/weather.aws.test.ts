/**
 * The weather flow on the AWS runtime, on moto: resources from `dataflow aws setup`, the handlers
 * a deployment runs hosted as the event source mapping would run them (4 batches at once per
 * queue), state in DynamoDB, files in S3, mail through SES v2, read back from moto and parsed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Location, Message, StateStore } from '../../src/index.js';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { queueDepths } from '../../src/adapters/sqs/queues.js';
import { skipWithoutMoto } from '../support/moto.js';
import { consumerHandler, scheduleHandler } from '../../src/runtimes/aws/handlers.js';
import { T0, framesOf, mostAtOnce, openWeatherOnAws, sentMails, startAwsWorld, type AwsWorld } from '../support/aws-weather.js';

const skip = await skipWithoutMoto();
let world: AwsWorld | undefined;

before(async () => {
  if (skip) return;
  world = await startAwsWorld();
  const setup = await world.dataflow(['aws', 'setup']);
  assert.equal(setup.code, 0, setup.stderr);
  assert.match(setup.stdout, new RegExp(`table ${world.env.DATAFLOW_AWS_PREFIX}-state: created`));
  assert.match(setup.stdout, /SES sender dataflow@example\.com: created/);
  assert.match(setup.stdout, /secret settings: none of AERIS_CLIENT_ID, AERIS_CLIENT_SECRET in the environment: nothing stored/, 'the weather flow falls back to its offline maps');
  const again = await world.dataflow(['aws', 'setup']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /table .*: already there/, 'setup is safe to repeat');
});
after(async () => {
  await world?.stop();
});

/** The GIF requests' frames: each key once across all of them, each request in valid-time order. */
async function assertGifs(state: StateStore, imageId: string, frames: { location: Location; validTime: number }[], gifs: number) {
  const requests = (await state.find({ type: 'please-create-gif' })).map((m) => m.body as Message).filter((m) => m.imageId === imageId);
  assert.equal(requests.length, gifs, 'one GIF request per window');
  const used = requests.flatMap((r) => (r.locations as Location[]).map((l) => l.Key));
  assert.equal(used.length, frames.length);
  assert.equal(new Set(used).size, frames.length, 'no frame in two GIFs, none left out');
  const keyTime = new Map(frames.map((f) => [f.location.Key, f.validTime]));
  for (const request of requests) {
    const times = (request.locations as Location[]).map((l) => keyTime.get(l.Key)!);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'frames in valid-time order');
  }
  assert.equal((await state.find({ type: 'did-create-gif' })).filter((m) => (m.body as Message).imageId === imageId).length, gifs);
}

// The timeout only stops a hung run: moto's transactions copy the whole table, so on a busy
// machine the four cases together can take several minutes.
describe('the weather flow on the AWS runtime, on moto', { skip, timeout: 600_000 }, () => {
  it('20 frames of one imageId at once: exactly 4 GIFs, no frame in two, 4 mails sent through SES with their images inline', async () => {
    const { runtime, events, heardAt } = await openWeatherOnAws(world!);
    try {
      const frames = await framesOf(runtime, 'race');
      const { accepted } = await runtime.send(frames);
      await runtime.settled(accepted.map((m) => m.id), { timeoutMs: 150_000 });
      await runtime.idle();
      assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
      await assertGifs(runtime.state, 'race', frames, 4);
      // The 20 frames reach the mediator's queue at once: its batches of 2 run side by side. (The
      // thumbnails they lead to go out as each window decision commits, one after another within
      // a process, so how many of those overlap depends on how fast the machine is.)
      assert.ok(mostAtOnce(events, 'mediator', heardAt) >= 3, 'batches of 2 ran side by side: several handlers at once');

      const mails = await sentMails(world!.moto);
      assert.equal(mails.length, 4, 'one mail per GIF');
      for (const mail of mails) {
        assert.equal(mail.from?.value[0]?.address, 'dataflow@example.com');
        assert.deepEqual((Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((to) => to!.value.map((v) => v.address)), ['forecast@example.com']);
        const images = mail.attachments.filter((a) => a.contentType.startsWith('image/'));
        assert.equal(images.length, 6, 'its GIF and five thumbnails, inline');
        assert.ok(images.some((a) => a.contentType === 'image/gif' && a.content.subarray(0, 6).toString() === 'GIF89a'));
      }
      const names = runtime.flow.consumers().map((c) => c.name);
      const depths = await queueDepths(names, { client: runtime.context.sqs, prefix: world!.env.DATAFLOW_AWS_PREFIX! });
      assert.ok(depths.every((d) => d.waiting + d.inFlight + d.delayed + d.deadLetters === 0), JSON.stringify(depths));
    } finally {
      await runtime.stop();
    }
  });

  it('handlers that fail mid-batch, and ones that die between settle and send, lose nothing and double nothing', async () => {
    let settles = 0;
    const failures = { before: 0, after: 0 };
    const diedBefore: string[] = [];
    const { runtime, events } = await openWeatherOnAws(world!, {
      wrapState: (state) => ({
        ...state,
        async settle(id, settlement, caused, now) {
          const n = ++settles;
          // Every 7th settle fails before it commits (the handler dies mid-batch); every 5th
          // commits and then dies before what it caused is sent.
          if (n % 7 === 0) {
            failures.before++;
            diedBefore.push(id);
            throw new Error(`the handler died before settling ${id}`);
          }
          const settled = await state.settle(id, settlement, caused, now);
          if (n % 5 === 0 && caused.length > 0) {
            failures.after++;
            throw new Error(`the handler died after settling ${id}, before sending what it caused`);
          }
          return settled;
        },
      }),
    });
    try {
      const before = (await sentMails(world!.moto)).length;
      const frames = await framesOf(runtime, 'faults');
      const { accepted } = await runtime.send(frames);
      await runtime.settled(accepted.map((m) => m.id), { timeoutMs: 150_000 });
      await runtime.idle();
      assert.ok(failures.before > 0 && failures.after > 0, JSON.stringify(failures));
      const tree = await runtime.descendants(accepted.map((m) => m.id));
      assert.ok(tree.some((m) => m.attempts >= 2), 'the ones that failed before settling came back and were handled again');
      assert.ok(events.some((e) => e.kind === 'duplicate'), 'the ones settled before they died came back as copies, and sent what they caused');
      assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
      await assertGifs(runtime.state, 'faults', frames, 4);
      // A mail goes out as the email-sender handles its message: one whose handler died before
      // recording that it was done is sent again on the retry (at least once, as every side effect).
      // Nothing else sends one twice.
      const resent = (await Promise.all(diedBefore.map((id) => runtime.state.get(id)))).filter((m) => m?.type === 'please-send-email').length;
      const mails = (await sentMails(world!.moto)).slice(before);
      assert.equal(mails.length, 4 + resent, `one mail per GIF, and one more for each of the ${resent} mail(s) whose handler died before settling`);
      assert.equal(new Set(mails.map((m) => m.attachments.find((a) => a.contentType === 'image/gif')?.checksum)).size, 4, 'every GIF mailed');
    } finally {
      await runtime.stop();
    }
  });

  it('a poison message reaches the dead letters with its reason; failed, trace and redrive --runtime aws show it and complete it', async () => {
    const { runtime } = await openWeatherOnAws(world!);
    const s3 = new S3Client({ forcePathStyle: true });
    try {
      const location = { Bucket: runtime.context.settings.names.bucket, Key: 'amp-image-fetcher/poison/0.png' };
      await s3.send(new PutObjectCommand({ ...location, Body: 'this is no image' }));
      const { accepted } = await runtime.send([{ type: 'did-fetch-amp-image', imageId: 'poison', validTime: T0, location }]);
      await runtime.settled(accepted.map((m) => m.id), { timeoutMs: 60_000 });
      const dead = (await runtime.descendants(accepted.map((m) => m.id))).filter((m) => m.status === 'dead');
      assert.deepEqual(dead.map((m) => m.type), ['please-create-thumbnail']);
      assert.match(dead[0]!.reason!, /is not an image sharp can read/);

      const failed = await world!.dataflow(['failed', '--runtime', 'aws']);
      assert.equal(failed.code, 0, failed.stderr);
      const listed = failed.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; reason: string });
      assert.ok(listed.some((m) => m.id === dead[0]!.id && /is not an image/.test(m.reason)), failed.stdout);
      const trace = await world!.dataflow(['trace', '--runtime', 'aws', dead[0]!.id]);
      assert.equal(trace.code, 0, trace.stderr);
      assert.equal((JSON.parse(trace.stdout) as { id: string }).id, accepted[0]!.id, 'the tree from its root cause');

      // The frame is mended; the dead letter is sent again, and the handlers hosted here complete it.
      const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 9, g: 80, b: 200 } } }).png().toBuffer();
      await s3.send(new PutObjectCommand({ ...location, Body: png }));
      const redrive = await world!.dataflow(['redrive', '--runtime', 'aws', dead[0]!.id], { timeoutMs: 90_000 });
      assert.equal(redrive.code, 0, redrive.stderr);
      const after = await runtime.descendants(accepted.map((m) => m.id));
      assert.deepEqual(after.filter((m) => m.status !== 'done'), []);
      assert.ok(after.some((m) => m.type === 'did-create-thumbnail'));
    } finally {
      s3.destroy();
      await runtime.stop();
    }
  });

  it("the schedule handler sends the flow's maps of an EventBridge tick; a consumer handler for no consumer names the flow's", async () => {
    const { runtime } = await openWeatherOnAws(world!, { consumers: () => [] });
    try {
      const context = async () => runtime.context;
      const time = '2017-06-01T16:07:00Z';
      const { accepted, rejected } = await scheduleHandler(context)({ source: 'aws.events', 'detail-type': 'Scheduled Event', time });
      assert.deepEqual(rejected, []);
      const expected = runtime.flow.schedule!.inputs(Date.parse(time)).length;
      assert.ok(expected > 0 && accepted.length === expected, `${accepted.length} of ${expected}`);
      const again = await scheduleHandler(context)({ time });
      assert.deepEqual(again.accepted.sort(), [...accepted].sort(), 'the same tick has the same ids');
      const [fetcher] = await queueDepths(['amp-image-fetcher'], { client: runtime.context.sqs, prefix: world!.env.DATAFLOW_AWS_PREFIX! });
      assert.ok(fetcher!.waiting >= expected, JSON.stringify(fetcher));
      await assert.rejects(consumerHandler('no-such-worker', context)({ Records: [] }), /has no consumer "no-such-worker"; its consumers are mediator, amp-image-fetcher/);
    } finally {
      await runtime.stop();
    }
  });
});
