/**
 * Who may read and write. Loopback with no token: reads are open, writes must come from the page
 * itself (same origin). A token, when set (always, off loopback): every request carries it, as
 * `Authorization: Bearer <token>` or as the cookie that opening the page once with `?token=` sets.
 * Wrong tokens are counted per client address and answered 429 past a limit.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { addressKey, failedAttempts } from './failed-attempts.js';

export const TOKEN_ENV = 'DATAFLOW_DASHBOARD_TOKEN';
const COOKIE = 'dataflow_dashboard';
/** Short enough to guess, even slowed: 16 random characters are beyond reach. */
export const MIN_TOKEN_LENGTH = 16;

export type Access = 'open' | 'cookie' | 'bearer';
export type AuthEnv = { Variables: { access: Access } };

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}

/** Throws when the dashboard would be reachable from other machines without a token, or with a short one. */
export function assertStartable(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new Error(
      `the dashboard token ${TOKEN_ENV} is too short: it must be at least ${MIN_TOKEN_LENGTH} characters, a long random secret (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  if (!isLoopbackHost(host) && !token) {
    throw new Error(
      `the dashboard will not listen on ${host} without a token: set ${TOKEN_ENV} (a long random secret), or listen on 127.0.0.1`,
    );
  }
}

/** Equal texts, compared in constant time (both are hashed first, so their lengths leak nothing). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The cookie holds a value derived from the token, never the token itself. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('dataflow-dashboard-session').digest('base64url');
}

function refuse(c: Context, status: 401 | 403 | 429, reason: string) {
  const wantsHtml = c.req.method === 'GET' && !c.req.path.startsWith('/api/') && (c.req.header('accept') ?? '').includes('text/html');
  if (wantsHtml && status !== 403) return c.html(loginPage(reason), status);
  return c.json({ error: reason }, status);
}

/**
 * Where `?token=` redirects: this request's path without it. A path opening with two slashes
 * (`//evil.example/`) is another site's address in a Location header: keep one slash. (The URL
 * parser has already turned backslashes, which browsers read as slashes, into slashes.)
 */
function sameOriginPath(url: URL): string {
  url.searchParams.delete('token');
  return `/${url.pathname.replace(/^\/+/, '')}${url.search}`;
}

/** A page with no script: a form that opens the same address with `?token=`. */
function loginPage(reason: string): string {
  const text = reason.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>dataflow dashboard</title>
<link rel="stylesheet" href="/ui/style.css"></head><body class="login"><main class="login-box">
<h1>dataflow dashboard</h1><p>${text}</p>
<form method="get"><label>Token <input name="token" type="password" autocomplete="current-password" required></label>
<button type="submit">Open</button></form><p class="muted">The token is ${TOKEN_ENV} of the process that serves this page.</p>
</main></body></html>`;
}

export function authMiddleware(options: { token?: string; loopback: boolean; now: () => number }): MiddlewareHandler<AuthEnv> {
  const { token, loopback } = options;
  const session = token ? sessionValue(token) : undefined;
  const failures = failedAttempts(options.now);
  /** Refuses a wrong token and counts it, or any token while its address is over the limit. */
  const tooMany = (c: Context) => {
    const seconds = failures.retryAfter(clientAddress(c));
    if (seconds === 0) return undefined;
    c.header('Retry-After', String(seconds));
    return refuse(c, 429, `too many wrong tokens from this address: try again in ${seconds} s`);
  };
  const wrong = (c: Context) => {
    failures.fail(clientAddress(c));
    return refuse(c, 401, 'wrong token');
  };
  return async (c, next) => {
    // DNS rebinding: a page on another site whose name resolves to 127.0.0.1 would be "same origin".
    if (loopback) {
      const host = c.req.header('host') ?? '';
      const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
      if (!isLoopbackHost(name)) return refuse(c, 403, `this dashboard listens on loopback and answers only to a loopback Host, not ${JSON.stringify(host)}`);
    }

    let access: Access = 'open';
    const publicAsset = c.req.method === 'GET' && c.req.path === '/ui/style.css'; // styles the token form
    if (token && !publicAsset) {
      const query = c.req.query('token');
      if (query !== undefined && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
        const limited = tooMany(c);
        if (limited) return limited;
        if (!sameSecret(query, token)) return wrong(c);
        setCookie(c, COOKIE, session!, { httpOnly: true, sameSite: 'Strict', path: '/' });
        return c.redirect(sameOriginPath(new URL(c.req.url)), 303);
      }
      const header = c.req.header('authorization');
      const cookie = getCookie(c, COOKIE);
      if (header !== undefined) {
        const limited = tooMany(c);
        if (limited) return limited;
        const match = /^Bearer\s+(.+)$/i.exec(header);
        if (!match || !sameSecret(match[1]!.trim(), token)) return wrong(c);
        access = 'bearer';
      } else if (cookie !== undefined && sameSecret(cookie, session!)) {
        access = 'cookie';
      } else {
        return refuse(c, 401, `this dashboard needs its token: open it with ?token=<${TOKEN_ENV}>, or send Authorization: Bearer <token>`);
      }
    }

    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      const problem = crossSite(c, access);
      if (problem) return refuse(c, 403, problem);
    }
    c.set('access', access);
    await next();
  };
}

/** Who is counted for wrong tokens: the peer of the socket, by addressKey. */
function clientAddress(c: Context): string {
  return addressKey(getConnInfo(c).remote.address ?? 'unknown');
}

/**
 * Why a write is refused as possibly cross-site, or undefined when it comes from this page (or
 * from a client that sent the token in a header, which a browser never adds to a cross-site
 * request). A browser's Sec-Fetch-Site decides; without it, the Origin's host must be the Host
 * asked for (so TLS ended at a proxy that keeps the Host still passes).
 */
function crossSite(c: Context, access: Access): string | undefined {
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  if (site !== undefined) return site === 'same-origin' ? undefined : `writes must come from this dashboard's own page (Sec-Fetch-Site: ${site})`;
  if (origin !== undefined) {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    return host !== undefined && host === c.req.header('host') ? undefined : `writes must come from this dashboard's own page (Origin: ${origin})`;
  }
  if (access === 'bearer') return undefined;
  return "writes must come from this dashboard's own page (no Origin or Sec-Fetch-Site header), or carry Authorization: Bearer <token>";
}
