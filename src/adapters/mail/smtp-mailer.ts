/**
 * A mailer that sends over SMTP with nodemailer. The URL carries everything:
 * `smtp://user:pass@host:587`, `smtps://…`, and nodemailer's options as query parameters
 * (`?pool=true`, `?ignoreTLS=true` for a test server without a valid certificate).
 */
import nodemailer from 'nodemailer';
import type { Mailer } from '../../ports/mailer.js';
import { toNodemailer } from './to-nodemailer.js';

export function smtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      const info = await transport.sendMail(toNodemailer(mail));
      return { messageId: info.messageId, receipt: String(info.response ?? '') };
    },
    async close() {
      transport.close();
    },
  };
}
