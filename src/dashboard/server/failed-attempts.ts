/**
 * Wrong tokens per client address, so a token cannot be guessed at the speed of the network:
 * after `limit` failures within `windowMs` of the first, the address is refused until that window
 * ends. Kept in memory: a restart of the dashboard forgets the counts.
 *
 * The address is the socket's peer: behind a reverse proxy every client shares the proxy's, and
 * a header such as X-Forwarded-For is not trusted, since any client can write it.
 */
export interface FailedAttempts {
  /** Seconds until the address may try again, or 0 when it may now. */
  retryAfter(address: string): number;
  fail(address: string): void;
}

export interface FailedAttemptOptions {
  /** Wrong tokens an address may send within one window. @defaultValue 10 */
  limit?: number;
  /** The window, from an address's first wrong token. @defaultValue 60000 (a minute) */
  windowMs?: number;
  /** Addresses remembered at most; the oldest are forgotten first. @defaultValue 10000 */
  maxAddresses?: number;
}

export const failedAttemptDefaults = { limit: 10, windowMs: 60_000, maxAddresses: 10_000 } satisfies Required<FailedAttemptOptions>;

export function failedAttempts(now: () => number, options: FailedAttemptOptions = {}): FailedAttempts {
  const { limit, windowMs, maxAddresses } = { ...failedAttemptDefaults, ...options };
  const byAddress = new Map<string, { since: number; failures: number }>();
  const current = (address: string) => {
    const entry = byAddress.get(address);
    if (entry && now() - entry.since >= windowMs) {
      byAddress.delete(address);
      return undefined;
    }
    return entry;
  };
  return {
    retryAfter(address) {
      const entry = current(address);
      if (!entry || entry.failures < limit) return 0;
      return Math.max(1, Math.ceil((entry.since + windowMs - now()) / 1000));
    },
    fail(address) {
      const entry = current(address);
      if (entry) {
        entry.failures++;
        return;
      }
      if (byAddress.size >= maxAddresses) byAddress.delete(byAddress.keys().next().value!);
      byAddress.set(address, { since: now(), failures: 1 });
    },
  };
}

/**
 * The key an address is counted by. An IPv6 client counts by its /64, the block one machine is
 * usually given, so it cannot rotate through it; an IPv4-mapped address counts as the IPv4 one.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
