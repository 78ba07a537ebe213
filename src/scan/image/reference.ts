/**
 * What the user's image argument means. Transport prefixes as in skopeo and syft are accepted
 * (`docker-archive:`, `oci-archive:`, `oci:`/`oci-dir:`, `docker://`/`registry:`); without one, an
 * existing file is an archive, an existing folder an OCI layout (optionally `DIR:tag` or
 * `DIR@sha256:…`), and anything else a registry reference.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export type ImageSourceSpec =
  | { kind: 'docker-archive'; path: string; tag?: string; display: string }
  | { kind: 'oci-layout'; path: string; tag?: string; digest?: string; display: string }
  | { kind: 'registry'; reference: string; display: string };

function kindOf(path: string): 'file' | 'dir' | undefined {
  try {
    const info = statSync(path);
    return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** `path[:tag]` or `path@sha256:…` where `path` exists; else undefined. */
function splitLocal(text: string, cwd: string): { path: string; tag?: string; digest?: string } | undefined {
  const at = text.lastIndexOf('@sha256:');
  if (at > 0 && kindOf(resolve(cwd, text.slice(0, at))) !== undefined) {
    return { path: resolve(cwd, text.slice(0, at)), digest: text.slice(at + 1) };
  }
  if (kindOf(resolve(cwd, text)) !== undefined) return { path: resolve(cwd, text) };
  const colon = text.lastIndexOf(':');
  if (
    colon > 0 &&
    !text.slice(colon + 1).includes('/') &&
    kindOf(resolve(cwd, text.slice(0, colon))) !== undefined
  ) {
    return { path: resolve(cwd, text.slice(0, colon)), tag: text.slice(colon + 1) };
  }
  return undefined;
}

export function parseImageArgument(argument: string, cwd: string): ImageSourceSpec {
  const display = argument;
  const prefixed = /^(docker-archive|oci-archive|oci|oci-dir|docker|registry):(\/\/)?(.*)$/.exec(argument);
  if (prefixed !== null) {
    const [, transport, , rest] = prefixed as unknown as [string, string, string | undefined, string];
    if (transport === 'docker' || transport === 'registry')
      return { kind: 'registry', reference: rest, display };
    const local = splitLocal(rest, cwd) ?? { path: resolve(cwd, rest) };
    if (transport === 'oci' || transport === 'oci-dir') return { kind: 'oci-layout', ...local, display };
    return {
      kind: 'docker-archive',
      path: local.path,
      ...(local.tag === undefined ? {} : { tag: local.tag }),
      display,
    };
  }
  const local = splitLocal(argument, cwd);
  if (local !== undefined) {
    if (kindOf(local.path) === 'dir') return { kind: 'oci-layout', ...local, display };
    return {
      kind: 'docker-archive',
      path: local.path,
      ...(local.tag === undefined ? {} : { tag: local.tag }),
      display,
    };
  }
  if (/^[./~]/.test(argument) || argument.endsWith('.tar') || argument.endsWith('.tar.gz')) {
    // Looks like a path that does not exist: say so rather than asking a registry for it.
    return { kind: 'docker-archive', path: resolve(cwd, argument), display };
  }
  return { kind: 'registry', reference: argument, display };
}
