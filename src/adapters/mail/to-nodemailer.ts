import type { SendMailOptions } from 'nodemailer';
import type { Mail } from '../../ports/mailer.js';
import { htmlToText } from './html-to-text.js';

export function toNodemailer(mail: Mail): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    // Every mail carries a text/plain alternative, as clients and spam filters expect.
    text: mail.text ?? htmlToText(mail.html),
    attachments: mail.attachments?.map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
      cid: a.cid,
      contentDisposition: a.cid ? 'inline' : 'attachment',
    })),
  };
}
