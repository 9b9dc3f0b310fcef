/** A real SMTP server on loopback that keeps what it receives, parsed. */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface TestSmtpServer {
  /** An SMTP URL for nodemailer. */
  url: string;
  received: ParsedMail[];
  /** Each received mail as it came over the wire, in the order of `received`. */
  sources: string[];
  /** Resolves once `count` mails have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** `port` 0 picks a free one; give a closed server's port to bring it back at the same address. */
export async function startSmtpServer(options: { rejectRecipient?: string; port?: number } = {}): Promise<TestSmtpServer> {
  const received: ParsedMail[] = [];
  const sources: string[] = [];
  let notify = () => {};
  const server = new SMTPServer({
    authOptional: true,
    // The package's built-in certificate has expired: stay on plain SMTP.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === options.rejectRecipient) {
        const error = Object.assign(new Error('no such mailbox'), { responseCode: 550 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      new Promise<Buffer>((resolve, reject) => stream.on('end', () => resolve(Buffer.concat(chunks))).on('error', reject))
        .then(async (source) => ({ source, mail: await simpleParser(source, { keepCidLinks: true }) }))
        .then(({ source, mail }) => {
          sources.push(source.toString('utf8'));
          received.push(mail);
          notify();
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    received,
    sources,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${received.length}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 50);
        });
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
