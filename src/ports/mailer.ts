export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
  /** Content-ID for inline parts, referenced from the HTML as `cid:<cid>`. */
  cid?: string;
}

export interface Mail {
  to: string[];
  from: string;
  subject: string;
  html: string;
  /** The plain-text alternative, for clients that show no HTML (and spam filters that want one). @defaultValue made from `html` */
  text?: string;
  attachments?: MailAttachment[];
}

export interface SentMail {
  /** The Message-ID header of the sent mail. */
  messageId: string;
  /** Where the mail went: an outbox file or the SMTP server's answer. */
  receipt: string;
}

export interface Mailer {
  send(mail: Mail): Promise<SentMail>;
  close?(): Promise<void>;
}
