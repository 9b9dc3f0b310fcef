/** A mailer that writes each mail as an RFC 5322 `.eml` file into a folder, for offline runs. */
import nodemailer from 'nodemailer';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Mailer } from '../../ports/mailer.js';
import { toNodemailer } from './to-nodemailer.js';

export function outboxMailer(folder: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const root = resolve(folder);
  return {
    async send(mail) {
      const info = await transport.sendMail(toNodemailer(mail));
      await mkdir(root, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${info.messageId.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}.eml`;
      const path = join(root, name);
      await writeFile(path, info.message as Buffer, { mode: 0o600 });
      return { messageId: info.messageId, receipt: path };
    },
  };
}
