/**
 * Docker image references: `[host[:port]/]path[:tag][@digest]`, with Docker Hub's defaults
 * (`alpine` is `docker.io/library/alpine:latest`, served by registry-1.docker.io).
 */
import { ScanError } from '../../errors.js';

export interface ImageReference {
  /** As written in credentials files and shown to users: `docker.io`, `127.0.0.1:5000`. */
  registry: string;
  /** The host the v2 API lives on. */
  apiHost: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function parseImageReference(text: string): ImageReference {
  const fail = (why: string): never => {
    throw new ScanError(`invalid image reference "${text}": ${why}`, {
      code: 'usage',
      exitCode: 2,
      hint: 'Write it as [registry/]repository[:tag][@sha256:digest], a file (docker save) or an OCI layout folder.',
    });
  };
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) fail('the digest must be sha256:<64 hex digits>');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) fail('the tag is not valid');
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  for (const part of parts)
    if (!component.test(part)) fail(`"${part}" is not a valid repository name component`);
  const reference: ImageReference = {
    registry,
    apiHost: registry === 'docker.io' ? 'registry-1.docker.io' : registry,
    repository: parts.join('/'),
  };
  if (digest !== undefined) reference.digest = digest;
  if (tag !== undefined || digest === undefined) reference.tag = tag ?? 'latest';
  return reference;
}

export function formatReference(reference: ImageReference): string {
  const name =
    reference.registry === 'docker.io' && reference.repository.startsWith('library/')
      ? reference.repository.slice('library/'.length)
      : `${reference.registry === 'docker.io' ? '' : `${reference.registry}/`}${reference.repository}`;
  return `${name}${reference.tag === undefined ? '' : `:${reference.tag}`}${reference.digest === undefined ? '' : `@${reference.digest}`}`;
}

/** Registries on loopback speak plain HTTP unless told otherwise, as Docker assumes. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
