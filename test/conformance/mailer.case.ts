/** The mailer's conformance suite: what arrives is what was sent, with inline images intact. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import type { Mailer } from '../../src/index.js';

export interface MailerUnderTest {
  mailer: Mailer;
  /** The mails as a recipient gets them. */
  delivered(count: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export function mailerConformance(name: string, open: () => Promise<MailerUnderTest>): void {
  describe(`mailer conformance: ${name}`, () => {
    it('delivers subject, recipients, HTML, its text alternative and inline images by Content-ID', async () => {
      const subject = await open();
      try {
        const gif = randomBytes(5000);
        const sent = await subject.mailer.send({
          to: ['user@example.com', 'person@example.com'],
          from: 'dataflow@example.com',
          subject: 'Weather GIF: temps',
          html: '<b>Your image is ready:</b><img src="cid:gif.1@dataflow">',
          text: 'Your image is ready, attached.',
          attachments: [{ filename: 'temps.gif', content: gif, contentType: 'image/gif', cid: 'gif.1@dataflow' }],
        });
        assert.match(sent.messageId, /@/);
        const [mail] = await subject.delivered(1);
        assert.equal(mail!.subject, 'Weather GIF: temps');
        const to = Array.isArray(mail!.to) ? mail!.to.flatMap((a) => a.value) : mail!.to!.value;
        assert.deepEqual(to.map((a) => a.address), ['user@example.com', 'person@example.com']);
        assert.match(String(mail!.html), /<img src="cid:gif\.1@dataflow">/);
        assert.equal(mail!.text?.trim(), 'Your image is ready, attached.', 'the text/plain alternative');
        const part = mail!.attachments.find((a) => a.cid === 'gif.1@dataflow');
        assert.ok(part, 'the GIF is an inline part');
        assert.equal(part.contentDisposition, 'inline');
        assert.equal(part.contentType, 'image/gif');
        assert.ok(part.content.equals(gif), 'the bytes arrive unchanged');
      } finally {
        await subject.close();
      }
    });
  });
}
