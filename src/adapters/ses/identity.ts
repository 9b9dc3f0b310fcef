/**
 * The SES identity a sender names: the address of `Weather GIFs <gifs@example.com>`, or the text
 * itself (`gifs@example.com`, `example.com`). SES sends only from a verified identity, so the
 * stack's permission, the set-up that makes the identity and the mailer all read it alike.
 */

/** `Name <gifs@example.com>` is the identity `gifs@example.com`; anything else is itself, trimmed. */
export function identityOf(sender: string): string {
  return (/<([^>]*)>\s*$/.exec(sender)?.[1] ?? sender).trim();
}

/** The identity of `sender`, which must be an address or a domain; throws naming what it got. */
export function checkedIdentity(sender: string): string {
  const identity = identityOf(sender);
  if (!/^([^\s@<>]+@)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(identity)) {
    throw new Error(`the SES sender must be an address or a domain, such as gifs@example.com or example.com (got ${JSON.stringify(sender)})`);
  }
  return identity;
}
