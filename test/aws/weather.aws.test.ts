/**
 * The weather flow on the AWS runtime, on moto: resources from `dataflow aws setup`, the handlers
 * a deployment runs hosted as the event source mapping would run them (4 batches at once per
 * queue), state in DynamoDB, files in S3, mail through SES v2, read back from moto and parsed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Location, Message, StateStore } from '../../src/index.js';
import { queueDepths } from '../../src/adapters/sqs/queues.js';
import { skipWithoutMoto } from '../support/moto.js';
import { framesOf, mostAtOnce, openWeatherOnAws, sentMails, startAwsWorld, type AwsWorld } from '../support/aws-weather.js';

const skip = await skipWithoutMoto();
let world: AwsWorld | undefined;

before(async () => {
  if (skip) return;
  world = await startAwsWorld();
  const setup = await world.dataflow(['aws', 'setup']);
  assert.equal(setup.code, 0, setup.stderr);
  assert.match(setup.stdout, new RegExp(`table ${world.env.DATAFLOW_AWS_PREFIX}-state: created`));
  assert.match(setup.stdout, /SES sender dataflow@example\.com: created/);
  const again = await world.dataflow(['aws', 'setup']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /table .*: already there/, 'setup is safe to repeat');
});
after(async () => {
  await world?.stop();
});

/** The GIF requests' frames: each key once across all of them, each request in valid-time order. */
async function assertGifs(state: StateStore, frames: { location: Location; validTime: number }[], gifs: number) {
  const requests = (await state.find({ type: 'please-create-gif' })).map((m) => m.body as Message);
  assert.equal(requests.length, gifs, 'one GIF request per window');
  const used = requests.flatMap((r) => (r.locations as Location[]).map((l) => l.Key));
  assert.equal(used.length, frames.length);
  assert.equal(new Set(used).size, frames.length, 'no frame in two GIFs, none left out');
  const keyTime = new Map(frames.map((f) => [f.location.Key, f.validTime]));
  for (const request of requests) {
    const times = (request.locations as Location[]).map((l) => keyTime.get(l.Key)!);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'frames in valid-time order');
  }
  assert.equal((await state.find({ type: 'did-create-gif' })).length, gifs);
}

describe('the weather flow on the AWS runtime, on moto', { skip, timeout: 240_000 }, () => {
  it('20 frames of one imageId at once: exactly 4 GIFs, no frame in two, 4 mails sent through SES with their images inline', async () => {
    const { runtime, events, heardAt } = await openWeatherOnAws(world!);
    try {
      const frames = await framesOf(runtime, 'race');
      const { accepted } = await runtime.send(frames);
      await runtime.settled(accepted.map((m) => m.id), { timeoutMs: 150_000 });
      await runtime.idle();
      assert.deepEqual(await runtime.state.find({ status: 'dead' }), []);
      await assertGifs(runtime.state, frames, 4);
      assert.ok(mostAtOnce(events, 'thumbnail-creator', heardAt) >= 3, 'batches of 2 ran side by side: several handlers at once');

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
});
