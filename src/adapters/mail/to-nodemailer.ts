import type { SendMailOptions } from 'nodemailer';
import type { Mail } from '../../ports/mailer.js';

export function toNodemailer(mail: Mail): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    attachments: mail.attachments?.map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
      cid: a.cid,
      contentDisposition: a.cid ? 'inline' : 'attachment',
    })),
  };
}
