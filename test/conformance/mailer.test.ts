import { simpleParser } from 'mailparser';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturingMailer } from '../../src/adapters/memory/mailer.js';
import { outboxMailer } from '../../src/adapters/mail/outbox-mailer.js';
import { smtpMailer } from '../../src/adapters/mail/smtp-mailer.js';
import { startSmtpServer } from '../support/smtp-server.js';
import { mailerConformance } from './mailer.case.js';

mailerConformance('.eml outbox', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'dataflow-outbox-'));
  return {
    mailer: outboxMailer(folder),
    async delivered() {
      const files = (await readdir(folder)).filter((f) => f.endsWith('.eml')).sort();
      return Promise.all(files.map(async (f) => simpleParser(await readFile(join(folder, f)), { keepCidLinks: true })));
    },
    async close() {},
  };
});

mailerConformance('SMTP (nodemailer to a real SMTP server on loopback)', async () => {
  const server = await startSmtpServer();
  const mailer = smtpMailer(server.url);
  return {
    mailer,
    delivered: (count) => server.waitFor(count),
    async close() {
      await mailer.close?.();
      await server.close();
    },
  };
});

mailerConformance('capturing, in memory', async () => {
  const mailer = capturingMailer();
  return {
    mailer,
    delivered: async (count) => Promise.all(mailer.sent.slice(0, count).map((sent) => simpleParser(sent.raw, { keepCidLinks: true }))),
    async close() {},
  };
});
