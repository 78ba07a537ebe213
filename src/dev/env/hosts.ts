/**
 * Finds the host names in an environment value: in URLs (`mysql://u:p@db:3306/x`, also inside
 * `jdbc:mysql://…`, and host lists such as `mongodb://a:27017,b:27017`), and in plain
 * `host[:port]` values and lists (`kafka-0.kafka:9092,kafka-1.kafka:9092`). Each occurrence keeps
 * its position, so a rewrite can replace exactly that text.
 */
export interface HostOccurrence {
  host: string;
  port: number | undefined;
  /** The URL scheme when the host is in a URL (`mysql`, `redis`, …). */
  scheme: string | undefined;
  /** Offsets of `host[:port]` in the value. */
  start: number;
  end: number;
}

/** A DNS name as Kubernetes makes them (Service, namespace and pod names), optionally dotted. */
const hostPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.?$/;

function parseHostPort(text: string, offset: number, scheme: string | undefined): HostOccurrence | undefined {
  const match = /^([^:/?#\s]+)(?::(\d{1,5}))?$/.exec(text);
  if (match === null) return undefined;
  const host = match[1] ?? '';
  if (!hostPattern.test(host) || /^\d+(\.\d+){3}$/.test(host)) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { host, port, scheme, start: offset, end: offset + text.length };
}

const urlStart = /([a-zA-Z][a-zA-Z0-9+.-]*):\/\//g;

function inUrls(value: string): HostOccurrence[] {
  const found: HostOccurrence[] = [];
  for (const match of value.matchAll(urlStart)) {
    const scheme = (match[1] ?? '').toLowerCase();
    const authorityStart = match.index + match[0].length;
    const rest = value.slice(authorityStart);
    const authorityLength = /^[^/?#\s]*/.exec(rest)?.[0].length ?? 0;
    const authority = rest.slice(0, authorityLength);
    // The last '@' ends the user info (passwords may contain '@' only escaped, but be lenient).
    const at = authority.lastIndexOf('@');
    let cursor = authorityStart + at + 1;
    for (const part of authority.slice(at + 1).split(',')) {
      const occurrence = parseHostPort(part, cursor, scheme);
      if (occurrence !== undefined) found.push(occurrence);
      cursor += part.length + 1;
    }
  }
  return found;
}

function inPlainList(value: string): HostOccurrence[] {
  const found: HostOccurrence[] = [];
  const token = /[^,;\s]+/g;
  for (const match of value.matchAll(token)) {
    const occurrence = parseHostPort(match[0], match.index, undefined);
    if (occurrence !== undefined) found.push(occurrence);
  }
  return found;
}

export function findHosts(value: string): HostOccurrence[] {
  if (value.includes('://')) return inUrls(value);
  return inPlainList(value);
}

/** Ports the URL schemes imply when a URL names none. */
export const defaultPorts: Record<string, number> = {
  http: 80,
  ws: 80,
  https: 443,
  wss: 443,
  redis: 6379,
  rediss: 6379,
  mysql: 3306,
  mariadb: 3306,
  postgres: 5432,
  postgresql: 5432,
  amqp: 5672,
  amqps: 5671,
  mongodb: 27017,
  nats: 4222,
  memcached: 11211,
  kafka: 9092,
  ldap: 389,
  ldaps: 636,
  smtp: 25,
  ftp: 21,
};

/** Variables whose bare value (no port, no URL) is a host name. */
export function looksLikeHostVariable(name: string): boolean {
  return /(HOST|HOSTNAME|ADDR|ADDRESS|SERVER|SERVERS|ENDPOINT|BROKERS?|NODES?|URL|URI|DSN)S?$/i.test(name);
}

/** `DB_HOST` → `DB_PORT` and `DB_SERVICE_PORT`: where an app keeps the port beside a host. */
export function siblingPortVariables(name: string): string[] {
  const match = /^(.*?)_?(HOST|HOSTNAME|ADDR|ADDRESS|SERVER|SERVICE_HOST)$/i.exec(name);
  if (match === null) return [];
  const stem = match[1] ?? '';
  const join = (suffix: string): string => (stem === '' ? suffix : `${stem}_${suffix}`);
  return [join('PORT'), join('SERVICE_PORT')];
}
