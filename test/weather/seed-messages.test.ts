/** The flow accepts the 2017 talk's messages verbatim: the seed files and the slides' examples. */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { normalizeEnvelope, validatePayload } from '../../src/core/validate.js';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import { defaultWeatherConfig } from '../../examples/weather/config.js';
import { weatherFlow } from '../../examples/weather/flow.js';

const flow = weatherFlow({ config: defaultWeatherConfig, mailer: outboxMailer('unused'), amp: { baseUrl: 'http://127.0.0.1:1', clientId: 'x', clientSecret: 'y' } });
const folder = new URL('../../examples/weather/messages/', import.meta.url);

const slides: Record<string, unknown>[] = [
  { type: 'please-fetch-amp-image', dateCreated: 123456789, imageId: 'temps', layers: ['flat-dk', 'temperatures'], width: 800, height: 600, center: 'tulsa,ok', zoom: 4, validTime: 2345678910 },
  { type: 'did-fetch-amp-image', dateCreated: 123456789, imageId: 'temps', validTime: 4567891011, location: { Bucket: 'osn2017-aeris-abcd', Key: 'amp-image-fetcher/[bunch of stuff].png' } },
  { type: 'please-create-thumbnail', imageId: 'temps', location: { Bucket: 'osn2017-aeris-abcd', Key: 'amp-image-fetcher/[bunch of stuff].png' }, width: 200, height: 200, validTime: 100 },
  { type: 'did-create-thumbnail', dateCreated: 123456789, imageId: 'temps', validTime: 4567891011, location: { Bucket: 'osn2017-aeris-abcd', Key: 'thumbnail-creator/[bunch of stuff].png' } },
  {
    type: 'please-create-gif',
    dateCreated: 123456789,
    gifDelay: 250,
    gifLoop: true,
    imageId: 'demo',
    locations: [1, 2, 3, 4, 5].map((n) => ({ Bucket: 'osn2017-aeris-abcd', Key: `[key]${n}.png` })),
    validTime: 2345678910,
  },
  { type: 'did-create-gif', dateCreated: 123456789, imageId: 'temps', validTime: 4567891011, location: { Bucket: 'osn2017-aeris-abcd', Key: 'thumbnail-creator/[bunch of stuff].gif' } },
  { type: 'please-send-email', dateCreated: 123456789, to: ['user@example.com', 'person@example.com'], from: 'dataflow@example.com', body: '<b>Your image is ready:</b><img src="https://s3...">', subject: 'Gif Created' },
  { type: 'did-send-email', dateCreated: 123456789, to: ['user@example.com', 'person@example.com'], from: 'dataflow@example.com', body: '<b>Your image is ready:</b><img src="https://s3...">', subject: 'Gif Created' },
];

async function accept(raw: unknown) {
  const envelope = normalizeEnvelope(raw, 1);
  const definition = flow.definition(envelope.type);
  assert.ok(definition, `the flow knows ${envelope.type}`);
  return validatePayload(definition, envelope);
}

describe('the talk\'s messages', () => {
  it('the seed files validate as they are', async () => {
    const files = (await readdir(folder)).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 4);
    for (const file of files) {
      const raw = JSON.parse(await readFile(new URL(file, folder), 'utf8'));
      const message = await accept(raw);
      assert.equal(message.type, raw.type);
      assert.ok(message.id, 'an id is assigned');
    }
  });

  it('a 2017 please-create-gif without delay or loop gets the talk\'s defaults', async () => {
    const raw = JSON.parse(await readFile(new URL('please-create-gif.json', folder), 'utf8'));
    const message = await accept(raw);
    assert.equal(message.gifDelay, 250);
    assert.equal(message.gifLoop, true);
  });

  for (const example of slides) {
    it(`the slides' ${example.type} validates`, async () => {
      const message = await accept(example);
      assert.equal(message.dateCreated, example.dateCreated ?? 1);
    });
  }

  it('every message type of the flow is routed', () => {
    for (const example of slides) assert.ok(flow.route(example.type as string));
    assert.equal(flow.route('please-create-thumbnail'), 'thumbnail-creator');
    assert.equal(flow.route('did-create-thumbnail'), 'mediator');
  });
});
