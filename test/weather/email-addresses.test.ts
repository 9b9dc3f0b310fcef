/** Mail messages name real addresses, and a bounded number of them, whoever sends them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import { InvalidMessageError } from '../../src/core/errors.js';
import { normalizeEnvelope, validatePayload } from '../../src/core/validate.js';
import { defaultWeatherConfig, loadWeatherConfig, type WeatherConfig } from '../../examples/weather/config.js';
import { weatherFlow } from '../../examples/weather/flow.js';

const flowWith = (config: WeatherConfig = defaultWeatherConfig) => weatherFlow({ config, mailer: outboxMailer('unused'), amp: { baseUrl: 'http://127.0.0.1:1', clientId: 'x', clientSecret: 'y' } });
const recipients = (count: number) => Array.from({ length: count }, (_, i) => `person${i}@example.com`);
const mail = (fields: Record<string, unknown>) => ({ type: 'please-send-email', to: ['user@example.com'], from: 'dataflow@example.com', subject: 'Hi', body: 'Hi', ...fields });

async function check(flow: ReturnType<typeof flowWith>, raw: Record<string, unknown>) {
  const envelope = normalizeEnvelope(raw, 1);
  return validatePayload(flow.definition(envelope.type)!, envelope);
}

describe('mail addresses', () => {
  const flow = flowWith();

  it('from must be an address: bare, or with a plain name', async () => {
    for (const from of ['dataflow@example.com', 'Weather GIFs <weather@example.com>', '<weather@example.com>']) {
      await check(flow, mail({ from }));
    }
    for (const from of ['any text at all', 'dataflow', 'a@b.com\r\nBcc: everyone@example.com', 'Doe, John <john@example.com>', '"Weather" <w@example.com>', 'Weather <not an address>', '']) {
      await assert.rejects(check(flow, mail({ from })), (error: Error) => error instanceof InvalidMessageError && /from: expected an email address/.test(error.message), JSON.stringify(from));
    }
  });

  it('to holds at most 50 addresses by default, each an address', async () => {
    await check(flow, mail({ to: recipients(50) }));
    await assert.rejects(check(flow, mail({ to: recipients(51) })), /to: at most 50 recipients/);
    await assert.rejects(check(flow, mail({ to: ['user@example.com', 'not an address'] })), /to\[1\]/);
    await assert.rejects(check(flow, { ...mail({ to: recipients(51) }), type: 'did-send-email' }), /to: at most 50 recipients/);
  });

  it('the limit comes from the config, and the config holds to it too', async () => {
    const config = loadWeatherConfig({ environment: { DATAFLOW_EMAIL_MAX_RECIPIENTS: '3' } });
    assert.equal(config.email.maxRecipients, 3);
    const small = flowWith(config);
    await check(small, mail({ to: recipients(3) }));
    await assert.rejects(check(small, mail({ to: recipients(4) })), /to: at most 3 recipients/);
    assert.throws(() => loadWeatherConfig({ environment: { DATAFLOW_EMAIL_MAX_RECIPIENTS: '1', DATAFLOW_EMAIL_TO: 'a@example.com,b@example.com' } }), /email\.to: more recipients than email\.maxRecipients allows/);
    assert.throws(() => loadWeatherConfig({ environment: { DATAFLOW_EMAIL_FROM: 'the weather desk' } }), /email\.from: expected an email address/);
  });
});
