/**
 * The SES identity mail is sent from, made as the stack would make it (`dataflow aws setup`):
 * an address or a domain. Making it again is no error. SES then mails the address a link to
 * verify it (a domain needs its DKIM records in DNS); until then SES refuses to send from it.
 */
import { CreateEmailIdentityCommand, GetEmailIdentityCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { checkedIdentity } from './identity.js';

export interface SenderIdentity {
  /** The address or domain, as SES names it. */
  identity: string;
  /** False when it was there already. */
  created: boolean;
  /** Whether SES sends from it yet. */
  verifiedForSending: boolean;
}

/** Accepts `gifs@example.com`, `Weather GIFs <gifs@example.com>` or `example.com`. */
export async function ensureSenderIdentity(client: SESv2Client, sender: string): Promise<SenderIdentity> {
  const identity = checkedIdentity(sender);
  const existing = await statusOf(client, identity);
  if (existing !== undefined) return { identity, created: false, verifiedForSending: existing };
  try {
    await client.send(new CreateEmailIdentityCommand({ EmailIdentity: identity }));
  } catch (error) {
    // Made meanwhile by another set-up: found below.
    if ((error as Error).name !== 'AlreadyExistsException') throw new Error(`could not create the SES identity ${identity}: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  }
  return { identity, created: true, verifiedForSending: (await statusOf(client, identity)) ?? false };
}

async function statusOf(client: SESv2Client, identity: string): Promise<boolean | undefined> {
  try {
    const { VerifiedForSendingStatus } = await client.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
    return VerifiedForSendingStatus === true;
  } catch (error) {
    if ((error as Error).name === 'NotFoundException') return undefined;
    throw error;
  }
}
