/**
 * What protects the dashboard's forms, besides the session cookie (HttpOnly, SameSite=Strict):
 *
 * - every POST must come from the dashboard's own origin: browsers say where a request comes from
 *   in `Sec-Fetch-Site` and `Origin`, and a page on another origin — another port of the same host
 *   included, which SameSite does not cover — is refused (the check Go's CrossOriginProtection
 *   makes);
 * - every form of a session carries that session's synchronizer token, compared in constant time,
 *   for browsers that send neither header.
 */
import { timingSafeEqual } from 'node:crypto';

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

const one = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** The cookie's name: `__Host-` (Secure, Path=/, no Domain) when the dashboard is served over https. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-chartroom-access' : 'chartroom-access';
}

export function readCookie(headers: Headers, name: string): string | undefined {
  const header = one(headers.cookie);
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index === -1) continue;
    if (part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

export function sessionCookie(options: {
  name: string;
  value: string;
  secure: boolean;
  maxAgeSeconds: number;
}): string {
  return [
    `${options.name}=${options.value}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.round(options.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/**
 * Why a state-changing request must be refused as cross-origin, or undefined when it may go on.
 * `allowedOrigins` are the origins the dashboard is served from (its public URL, and the Host the
 * request came to).
 */
export function crossOriginRefusal(headers: Headers, allowedOrigins: readonly string[]): string | undefined {
  const site = one(headers['sec-fetch-site']);
  // `none`: typed into the address bar or a bookmark — a person's own action, not a page's.
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `cross-origin request refused (Sec-Fetch-Site: ${site})`;
  }
  const origin = one(headers.origin);
  if (origin !== undefined && !allowedOrigins.includes(origin.toLowerCase())) {
    return `cross-origin request refused (Origin: ${origin})`;
  }
  return undefined;
}

/** The origins a request may come from: the public URL's, and its own Host's on this scheme. */
export function allowedOrigins(options: {
  publicUrl: string;
  host: string | undefined;
  secure: boolean;
}): string[] {
  const origins = [new URL(options.publicUrl).origin.toLowerCase()];
  if (options.host !== undefined && options.host !== '')
    origins.push(`${options.secure ? 'https' : 'http'}://${options.host.toLowerCase()}`);
  return origins;
}

export function sameToken(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
