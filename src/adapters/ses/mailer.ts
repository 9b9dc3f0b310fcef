/**
 * A mailer on Amazon SES v2: nodemailer builds the raw MIME (HTML, its text alternative, images
 * inline by Content-ID), and its SES transport hands it to SES v2 `SendEmail` as `Content.Raw`.
 * SES sends only from a verified identity, so the sender is configured once here.
 *
 * What happens next, as the core reads errors: SES throttling (or a sending quota used up) is a
 * {@link RetryableError}; a mail SES refuses (an unverified identity, a suspended or paused
 * account, a malformed request) is a {@link NonRetriableError} naming the identity; anything
 * else (the network, a 5xx) is thrown as it is and retried with backoff.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import { NonRetriableError, RetryableError } from '../../core/errors.js';
import type { Mail, Mailer } from '../../ports/mailer.js';
import { toNodemailer } from '../mail/to-nodemailer.js';
import { identityOf } from './identity.js';

export interface SesMailerOptions {
  /**
   * The sender, an address of a verified SES identity (the address itself or its domain), e.g.
   * `Weather GIFs <gifs@example.com>`. Every mail goes from it; a mail whose own `from` names
   * another address keeps that one as its Reply-To. @defaultValue each mail's own `from`
   */
  from?: string;
  /** A ready client; when given, `endpoint` and `region` are ignored. */
  client?: SESv2Client;
  /** @defaultValue the SDK's: AWS_ENDPOINT_URL_SESV2, AWS_ENDPOINT_URL, or AWS itself */
  endpoint?: string;
  /** @defaultValue the SDK's: AWS_REGION or the shared config */
  region?: string;
  /** An SES configuration set (event publishing, a dedicated IP pool). */
  configurationSetName?: string;
}

/** SES's answers that no retry mends. */
const REFUSED = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'AccountSuspendedException', 'SendingPausedException', 'BadRequestException', 'NotFoundException']);
/** SES's answers that pass once sending slows down. */
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException']);

export function sesMailer(options: SesMailerOptions = {}): Mailer {
  const client = options.client ?? new SESv2Client({ endpoint: options.endpoint, region: options.region });
  const transport = nodemailer.createTransport({ SES: { sesClient: client, SendEmailCommand } } as Parameters<typeof nodemailer.createTransport>[0]);
  const ses = options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : undefined;

  return {
    async send(mail) {
      const message = { ...toNodemailer(mail), ...sender(mail, options.from), ...(ses ? { ses } : {}) };
      try {
        const info = await transport.sendMail(message);
        return { messageId: info.messageId, receipt: `SES message ${String(info.response ?? '')}` };
      } catch (error) {
        throw await explained(error, String(message.from), client);
      }
    },
    async close() {
      transport.close();
      if (!options.client) client.destroy();
    },
  };
}

function sender(mail: Mail, from: string | undefined): { from: string; replyTo?: string } {
  if (from === undefined) return { from: mail.from };
  const same = addressOf(from) === addressOf(mail.from);
  return same || !mail.from ? { from } : { from, replyTo: mail.from };
}

/** Addresses compare, and are named, in lower case. */
function addressOf(mailbox: string): string {
  return identityOf(mailbox).toLowerCase();
}

async function explained(thrown: unknown, from: string, client: SESv2Client): Promise<unknown> {
  const error = thrown as Error & { $fault?: string };
  if (!(error instanceof Error)) return thrown;
  if (THROTTLED.has(error.name)) return new RetryableError(`SES is throttling mail from ${addressOf(from)}: ${error.name}: ${error.message}`, undefined, { cause: error });
  if (!REFUSED.has(error.name)) return error;
  const region = await client.config.region().catch(() => 'unknown');
  const hint =
    error.name === 'MessageRejected' || error.name === 'MailFromDomainNotVerifiedException'
      ? ` Is ${addressOf(from)} (or its domain) a verified identity in SES region ${region}? In the SES sandbox every recipient must be verified too.`
      : '';
  return new NonRetriableError(`SES refused to send from ${addressOf(from)}: ${error.name}: ${error.message}.${hint}`, { cause: error });
}
