/**
 * The SES v2 mailer against moto: the mailer conformance suite, with each mail read back as SES
 * sent it (moto's `/moto-api/data.json`, ses section, raw MIME) and parsed; then what only SES
 * does: the verified sender identity, refusals that name it, and throttling that is retried.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { simpleParser, type ParsedMail } from 'mailparser';
import { NonRetriableError, RetryableError, type Mail } from '../../src/index.js';
import { sesMailer } from '../../src/adapters/ses/mailer.js';
import { ensureSenderIdentity } from '../../src/adapters/ses/sender-identity.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';
import { mailerConformance } from './mailer.case.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

const skip = await skipWithoutMoto();
let moto: Moto | undefined;
let ses: SESv2Client;

before(async () => {
  if (skip) return;
  moto = await startMoto();
  ses = new SESv2Client({ endpoint: moto.endpoint });
});
after(async () => {
  ses?.destroy();
  await moto?.stop();
});

const verify = (identity: string) => ses.send(new CreateEmailIdentityCommand({ EmailIdentity: identity }));

/** The mails SES sent, oldest first, as a recipient's client parses them. */
async function sentBySes(): Promise<ParsedMail[]> {
  const raw = ((await moto!.data()).ses?.RawMessage ?? []) as { raw_data: string }[];
  return Promise.all(raw.map((message) => simpleParser(message.raw_data, { keepCidLinks: true })));
}

const mail = (fields: Partial<Mail> = {}): Mail => ({ to: ['user@example.com'], from: 'dataflow@example.com', subject: 'Weather GIF', html: '<p>ready</p>', ...fields });

if (skip) {
  it('SES v2 mailer on moto', { skip }, () => {});
} else {
  mailerConformance('SES v2 (raw MIME), on moto', async () => {
    await moto!.reset();
    await verify('dataflow@example.com');
    const mailer = sesMailer({ endpoint: moto!.endpoint });
    return {
      mailer,
      delivered: async (count) => (await sentBySes()).slice(0, count),
      close: async () => mailer.close?.(),
    };
  });

  describe('SES v2 mailer on moto', () => {
    it('sends from the configured identity, keeping the mail\'s own sender as its Reply-To', async () => {
      await moto!.reset();
      await verify('example.org'); // a domain identity covers every address in it
      const mailer = sesMailer({ endpoint: moto!.endpoint, from: 'Weather GIFs <gifs@example.org>' });
      const sent = await mailer.send(mail({ from: 'someone@example.com' }));
      await mailer.send(mail({ from: 'gifs@example.org', subject: 'second' }));
      await mailer.close?.();
      const [first, second] = await sentBySes();
      assert.equal(first!.from?.text, '"Weather GIFs" <gifs@example.org>');
      assert.equal(first!.replyTo?.text, 'someone@example.com');
      assert.equal(second!.replyTo, undefined, 'no Reply-To when the mail is from the identity already');
      assert.match(sent.messageId, /^<.+@email\.amazonses\.com>$/, 'the Message-ID SES gave the mail');
      assert.match(sent.receipt, /^SES message \S+/);
    });

    it('refuses, for good and naming the identity, to send from one SES has not verified', async () => {
      await moto!.reset();
      const mailer = sesMailer({ endpoint: moto!.endpoint, from: 'Weather <unverified@example.net>' });
      await assert.rejects(mailer.send(mail()), (error: Error) => {
        assert.ok(error instanceof NonRetriableError, `${error.name}: ${error.message}`);
        assert.match(error.message, /SES refused to send from unverified@example\.net: MessageRejected/);
        assert.match(error.message, /verified identity in SES region us-east-1/);
        return true;
      });
      assert.deepEqual(await sentBySes(), []);
      await mailer.close?.();
    });
  });
}

describe('SES v2 mailer: throttling', () => {
  it('is retryable, and a refusal is not, as SES answers them on the wire', async () => {
    // SES v2 speaks REST-JSON: the error's name travels in x-amzn-ErrorType.
    let answer = { status: 429, type: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' };
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(answer.status, { 'content-type': 'application/json', 'x-amzn-errortype': answer.type });
      response.end(JSON.stringify({ message: answer.message }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new SESv2Client({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'eu-west-1', maxAttempts: 1 });
    const mailer = sesMailer({ client, from: 'gifs@example.org' });
    try {
      await assert.rejects(mailer.send(mail()), (error: Error) => error instanceof RetryableError && /throttling mail from gifs@example\.org: TooManyRequestsException/.test(error.message));
      answer = { status: 400, type: 'AccountSuspendedException', message: 'Account suspended.' };
      await assert.rejects(mailer.send(mail()), (error: Error) => error instanceof NonRetriableError && /refused to send from gifs@example\.org: AccountSuspendedException/.test(error.message));
      answer = { status: 503, type: 'ServiceUnavailable', message: 'Try again.' };
      await assert.rejects(mailer.send(mail()), (error: Error) => !(error instanceof NonRetriableError) && error.name === 'ServiceUnavailable');
    } finally {
      await mailer.close?.();
      client.destroy();
      server.close();
    }
  });
});

describe('SES sender identity on moto', { skip }, () => {
  it('is made once, from an address with or without a name, or a domain; made again, it is found', async () => {
    await moto!.reset();
    const first = await ensureSenderIdentity(ses, 'Weather GIFs <gifs@example.org>');
    assert.deepEqual({ identity: first.identity, created: first.created }, { identity: 'gifs@example.org', created: true });
    const again = await ensureSenderIdentity(ses, 'gifs@example.org');
    assert.equal(again.created, false);
    assert.equal((await ensureSenderIdentity(ses, 'example.net')).identity, 'example.net');
    const mailer = sesMailer({ endpoint: moto!.endpoint, from: 'Weather GIFs <gifs@example.org>' });
    await mailer.send(mail());
    await mailer.close?.();
    assert.equal((await sentBySes()).length, 1, 'SES sends from it');
    await assert.rejects(ensureSenderIdentity(ses, 'not an address'), /the SES sender must be an address or a domain, such as gifs@example\.com or example\.com \(got "not an address"\)/);
  });
});
