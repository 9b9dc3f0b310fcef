/**
 * A mailer that sends nothing and keeps every mail: as given, and as the MIME text nodemailer
 * builds for it (what an SMTP server would receive), for tests to read back.
 */
import type { Mail, Mailer, SentMail } from '../../ports/mailer.js';
import { toNodemailer } from '../mail/to-nodemailer.js';

export interface CapturedMail extends SentMail {
  mail: Mail;
  /** The RFC 5322 message, headers and encoded parts. */
  raw: Buffer;
}

export interface CapturingMailer extends Mailer {
  /** Every mail sent, in order. */
  readonly sent: readonly CapturedMail[];
}

export function capturingMailer(): CapturingMailer {
  const sent: CapturedMail[] = [];
  // Loaded on first use: a flow under test that sends no mail never loads nodemailer.
  let transport: Promise<import('nodemailer').Transporter> | undefined;
  return {
    sent,
    async send(mail) {
      transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }));
      const info = await (await transport).sendMail(toNodemailer(mail));
      const captured = { mail, raw: info.message as Buffer, messageId: info.messageId, receipt: `captured mail ${sent.length + 1}` };
      sent.push(captured);
      return { messageId: captured.messageId, receipt: captured.receipt };
    },
  };
}
