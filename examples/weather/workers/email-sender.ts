/** Sends the mail it is given, with its images inline so it reads with no network. */
import { NonRetriableError, defineWorker, type Mailer } from 'dataflow';
import { defaultMaxRecipients, emailMessages } from '../messages.js';

export function createEmailSender(mailer: Mailer, options: { /** @defaultValue 50 */ maxRecipients?: number } = {}) {
  const { PleaseSendEmail, DidSendEmail } = emailMessages(options.maxRecipients ?? defaultMaxRecipients);
  return defineWorker({
    name: 'email-sender',
    accepts: PleaseSendEmail,
    replies: DidSendEmail,
    concurrency: 2,
    async handle(request, { blobs }) {
      const attachments = await Promise.all(
        (request.inline ?? []).map(async (image) => ({
          filename: image.filename,
          content: await blobs.get(image.location),
          contentType: image.filename.endsWith('.gif') ? 'image/gif' : 'image/png',
          cid: image.cid,
        })),
      );
      const sent = await mailer.send({ to: request.to, from: request.from, subject: request.subject, html: request.body, attachments }).catch((error: Error & { responseCode?: number }) => {
        // SMTP 5xx is permanent (no such mailbox, refused); anything else may pass on a retry.
        if (error.responseCode !== undefined && error.responseCode >= 500) throw new NonRetriableError(`the mail server refused the mail: ${error.message}`, { cause: error });
        throw error;
      });
      const { type, id, dateCreated, ...fields } = request;
      return { ...fields, messageId: sent.messageId };
    },
  });
}
