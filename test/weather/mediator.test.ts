import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { mediatorState } from '../../src/core/mediator-state.js';
import { derivedId, silentLogger, type MediatorContext, type Message, type Outgoing, type StateStore } from '../../src/index.js';
import { defaultWeatherConfig, type WeatherConfig } from '../../examples/weather/config.js';
import { weatherMediator } from '../../examples/weather/mediator.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2017, 5, 1, 16, 0);

/** Drives the mediator's rules the way the processor does: record the message, then handle it. */
function harness(config: WeatherConfig = defaultWeatherConfig) {
  const state: StateStore = openSqliteStateStore(':memory:');
  const mediator = weatherMediator(config);
  const context: MediatorContext = {
    state: mediatorState(state),
    urlFor: async (l) => `file:///blobs/${l.Bucket}/${l.Key}`,
    now: () => T0,
    log: silentLogger,
  };
  let n = 0;
  const deliver = async (fields: Record<string, unknown>, id = `m${++n}`): Promise<Outgoing[]> => {
    const message = { dateCreated: T0, id, ...fields } as Message;
    await state.save([{ id: message.id, type: message.type, body: message, key: message.imageId as string, validTime: message.validTime as number }], T0);
    const rule = mediator.rules.find((r) => r.on.type === message.type)!;
    return rule.handle(message, context);
  };
  return { state, deliver };
}

const frame = (imageId: string, minutes: number) => ({
  type: 'did-fetch-amp-image',
  imageId,
  validTime: T0 + minutes * MINUTE,
  location: { Bucket: 'dataflow', Key: `amp-image-fetcher/${imageId}/${minutes}.png` },
});
const thumbnail = (imageId: string, minutes: number) => ({
  type: 'did-create-thumbnail',
  imageId,
  validTime: T0 + minutes * MINUTE,
  location: { Bucket: 'dataflow', Key: `thumbnail-creator/${imageId}/${minutes}.png` },
});

describe('the weather mediator', () => {
  it('asks for a thumbnail of every frame, at the configured size', async () => {
    const { deliver } = harness({ ...defaultWeatherConfig, thumbnail: { width: 100, height: 80 } });
    const out = await deliver(frame('temps', 0));
    assert.equal(out.length, 1);
    assert.deepEqual(out[0], {
      type: 'please-create-thumbnail',
      imageId: 'temps',
      location: frame('temps', 0).location,
      width: 100,
      height: 80,
      validTime: T0,
    });
  });

  it('asks for one GIF per five new frames, ordered by valid time, with the configured delay and loop', async () => {
    const { deliver } = harness({ ...defaultWeatherConfig, gifDelayMs: 400, gifLoop: 3 });
    const gifs: Outgoing[] = [];
    for (const minutes of [40, 0, 30, 10, 20, 50, 60]) gifs.push(...(await deliver(frame('temps', minutes))).filter((m) => m.type === 'please-create-gif'));
    assert.equal(gifs.length, 1);
    const gif = gifs[0]!;
    assert.deepEqual(
      (gif.locations as { Key: string }[]).map((l) => l.Key),
      [0, 10, 20, 30, 40].map((m) => `amp-image-fetcher/temps/${m}.png`),
    );
    assert.equal(gif.gifDelay, 400);
    assert.equal(gif.gifLoop, 3);
    assert.equal(gif.validTime, T0 + 40 * MINUTE, 'a GIF is known by its last frame');
  });

  it('counts a frame fetched twice once', async () => {
    const { deliver } = harness();
    const out: Outgoing[] = [];
    for (const minutes of [0, 10, 10, 20, 20, 30]) out.push(...(await deliver(frame('temps', minutes))));
    assert.equal(out.filter((m) => m.type === 'please-create-gif').length, 0);
    out.push(...(await deliver(frame('temps', 40))));
    assert.equal(out.filter((m) => m.type === 'please-create-gif').length, 1);
  });

  it('makes the same decision again when a message is handled again', async () => {
    const { deliver } = harness();
    for (const minutes of [0, 10, 20, 30]) await deliver(frame('temps', minutes));
    const first = await deliver(frame('temps', 40), 'closing');
    const again = await deliver(frame('temps', 40), 'closing');
    assert.deepEqual(again, first, 'a replay of the closing message asks for the same GIF');
    const copy = await deliver(frame('temps', 40), 'another-id');
    assert.equal(copy.filter((m) => m.type === 'please-create-gif').length, 0, 'a copy from another message does not');
  });

  for (const order of ['thumbnails first', 'GIF first', 'interleaved'] as const) {
    it(`sends one mail with the GIF and its five thumbnails inline (${order})`, async () => {
      const { deliver } = harness();
      const imageId = 'OSN <b>2017</b> & "Demo"';
      let closing: Outgoing | undefined;
      for (const m of [0, 10, 20, 30, 40]) closing = (await deliver(frame(imageId, m))).find((o) => o.type === 'please-create-gif') ?? closing;
      assert.ok(closing);
      const gifDone = { type: 'did-create-gif', imageId, validTime: closing.validTime, location: { Bucket: 'dataflow', Key: 'gif-creator/x.gif' } };
      const steps: Record<string, unknown>[] =
        order === 'thumbnails first'
          ? [...[0, 10, 20, 30, 40].map((m) => thumbnail(imageId, m)), gifDone]
          : order === 'GIF first'
            ? [gifDone, ...[0, 10, 20, 30, 40].map((m) => thumbnail(imageId, m))]
            : [thumbnail(imageId, 0), thumbnail(imageId, 10), gifDone, thumbnail(imageId, 20), thumbnail(imageId, 30), thumbnail(imageId, 40)];
      const mails: Outgoing[] = [];
      for (const step of steps) mails.push(...(await deliver(step)).filter((o) => o.type === 'please-send-email'));
      assert.equal(mails.length, 1);
      const mail = mails[0]!;
      const inline = mail.inline as { location: { Key: string }; cid: string }[];
      assert.equal(inline.length, 6);
      assert.equal(inline[0]!.location.Key, 'gif-creator/x.gif');
      assert.deepEqual(inline.slice(1).map((i) => i.location.Key), [0, 10, 20, 30, 40].map((m) => `thumbnail-creator/${imageId}/${m}.png`));
      const body = mail.body as string;
      for (const { cid } of inline) assert.ok(body.includes(`src="cid:${cid}"`), `the body shows ${cid}`);
      assert.ok(!body.includes('<b>2017</b>'), 'the imageId is escaped in the HTML');
      assert.ok(body.includes('OSN &lt;b&gt;2017&lt;/b&gt; &amp; &quot;Demo&quot;'));
      assert.deepEqual(mail.to, defaultWeatherConfig.email.to);
      assert.match(mail.subject as string, /^Weather GIF: OSN <b>2017<\/b> & "Demo", 2017-06-01 16:00 UTC to 2017-06-01 16:40 UTC$/);
    });
  }

  for (const order of ['after the GIF was decided', 'before the GIF was decided'] as const) {
    it(`mails the thumbnail made from the GIF's own frame, not another at its valid time (${order})`, async () => {
      const { deliver } = harness();
      const imageId = 'OSN 2017 Demo';
      const ofMap = (map: string, minutes: number, variant = '') => {
        const source = { Bucket: 'dataflow', Key: `amp-image-fetcher/${map}/${minutes}${variant}.png` };
        return {
          frame: { ...frame(imageId, minutes), location: source, map },
          thumbnail: { ...thumbnail(imageId, minutes), location: { Bucket: 'dataflow', Key: `thumbnail-creator/${map}/${minutes}${variant}.png` }, source, map },
        };
      };
      // At the first valid time: another map's frame, and the same map fetched again with other bytes.
      const strangers = [ofMap('temps', 0).thumbnail, ofMap('radar', 0, '-rerendered').thumbnail];
      const out: Outgoing[] = [];
      out.push(...(await deliver(ofMap('radar', 0).frame)), ...(await deliver(ofMap('temps', 0).frame)), ...(await deliver(ofMap('radar', 0, '-rerendered').frame)));
      if (order === 'before the GIF was decided') for (const t of strangers) out.push(...(await deliver(t)));
      for (const m of [10, 20, 30, 40]) out.push(...(await deliver(ofMap('radar', m).frame)));
      const closing = out.find((o) => o.type === 'please-create-gif')!;
      assert.deepEqual((closing.locations as { Key: string }[]).map((l) => l.Key), [0, 10, 20, 30, 40].map((m) => `amp-image-fetcher/radar/${m}.png`));
      const gifDone = { type: 'did-create-gif', imageId, validTime: closing.validTime, location: { Bucket: 'dataflow', Key: 'gif-creator/radar.gif' }, map: 'radar' };
      const steps = order === 'after the GIF was decided' ? [...strangers, gifDone] : [gifDone];
      steps.push(...[0, 10, 20, 30, 40].map((m) => ofMap('radar', m).thumbnail));
      const mails: Outgoing[] = [];
      for (const step of steps) mails.push(...(await deliver(step)).filter((o) => o.type === 'please-send-email'));
      assert.equal(mails.length, 1);
      const inline = mails[0]!.inline as { location: { Key: string } }[];
      assert.deepEqual(inline.map((i) => i.location.Key), ['gif-creator/radar.gif', ...[0, 10, 20, 30, 40].map((m) => `thumbnail-creator/radar/${m}.png`)]);
    });
  }

  it('makes GIFs of each map of an imageId apart, and of frames with no map as in 2017', async () => {
    const { deliver } = harness({ ...defaultWeatherConfig, framesPerGif: 2 });
    const gifs: Outgoing[] = [];
    for (const m of [0, 10]) {
      for (const map of ['radar', 'temps', undefined]) {
        const fields = { ...frame('temps', m), location: { Bucket: 'dataflow', Key: `amp-image-fetcher/${map ?? 'none'}/${m}.png` }, ...(map ? { map } : {}) };
        gifs.push(...(await deliver(fields)).filter((o) => o.type === 'please-create-gif'));
      }
    }
    assert.deepEqual(
      gifs.map((g) => [g.map, (g.locations as { Key: string }[]).map((l) => l.Key)]),
      ['radar', 'temps', undefined].map((map) => [map, [0, 10].map((m) => `amp-image-fetcher/${map ?? 'none'}/${m}.png`)]),
    );
  });

  it('dead-letters a did-create-gif it never asked for, saying so', async () => {
    const { deliver } = harness();
    await assert.rejects(
      deliver({ type: 'did-create-gif', imageId: 'temps', validTime: 4567891011, location: { Bucket: 'b', Key: 'k.gif' } }),
      /NonRetriable|never asked/,
    );
  });

  it('derives stable ids for what it sends', () => {
    assert.equal(derivedId('a', 0), derivedId('a', 0));
    assert.notEqual(derivedId('a', 0), derivedId('a', 1));
    assert.match(derivedId('a', 0), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
