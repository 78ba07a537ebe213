/**
 * OCI / Docker v2 manifests and indexes: parsing, validation and platform selection, shared by the
 * OCI layout, the Docker 25+ archive and the registry sources.
 */
import { ScanError } from '../errors.js';
import type { ImageConfig, LayerDescriptor } from './types.js';

export const mediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export const acceptManifests = [
  mediaTypes.ociIndex,
  mediaTypes.ociManifest,
  mediaTypes.dockerList,
  mediaTypes.dockerManifest,
].join(', ');

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { architecture?: string; os?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  mediaType?: string;
  manifests: Descriptor[];
}

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType === mediaTypes.ociIndex || mediaType === mediaTypes.dockerList;
}

export function isManifestType(mediaType: string | undefined): boolean {
  return mediaType === mediaTypes.ociManifest || mediaType === mediaTypes.dockerManifest;
}

const digestPattern = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

export function assertDigest(digest: unknown, where: string): asserts digest is string {
  if (typeof digest !== 'string' || !digestPattern.test(digest)) {
    throw new ScanError(`invalid OCI image: ${where} has a malformed digest ${JSON.stringify(digest)}`, {
      code: 'image-invalid',
      hint: 'The image metadata is corrupt; export or pull the image again.',
    });
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScanError(`invalid ${what}: ${(error as Error).message}`, {
      code: 'image-invalid',
      hint: 'The image metadata is not JSON; export or pull the image again.',
      cause: error,
    });
  }
}

/** Parses a manifest or index; `kind` tells which one it is (by media type, else by shape). */
export function parseManifestOrIndex(
  text: string,
  what: string,
  declaredType?: string,
): { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest } {
  const value = parseJson(text, what) as Record<string, unknown> | null;
  if (value === null || typeof value !== 'object') {
    throw new ScanError(`invalid ${what}: not a JSON object`, {
      code: 'image-invalid',
      hint: 'Export or pull the image again.',
    });
  }
  const mediaType = (typeof value.mediaType === 'string' ? value.mediaType : undefined) ?? declaredType;
  if (mediaType === mediaTypes.dockerSchema1 || value.schemaVersion === 1) {
    throw new ScanError(`${what} is a Docker schema 1 manifest, which is not supported`, {
      code: 'image-schema1',
      hint: 'Re-push the image with a current Docker or skopeo (schema 2 / OCI).',
    });
  }
  if (isIndexType(mediaType) || (mediaType === undefined && Array.isArray(value.manifests))) {
    const manifests = Array.isArray(value.manifests) ? (value.manifests as Descriptor[]) : [];
    for (const descriptor of manifests) assertDigest(descriptor.digest, what);
    return { kind: 'index', index: { mediaType, manifests } };
  }
  if (isManifestType(mediaType) || (mediaType === undefined && Array.isArray(value.layers))) {
    const config = value.config as Descriptor | undefined;
    const layers = Array.isArray(value.layers) ? (value.layers as Descriptor[]) : [];
    assertDigest(config?.digest, `${what} config`);
    for (const layer of layers) assertDigest(layer.digest, `${what} layer`);
    return { kind: 'manifest', manifest: { mediaType, config: config, layers } };
  }
  throw new ScanError(`invalid OCI image: unsupported media type ${mediaType ?? '(none)'} in ${what}`, {
    code: 'image-invalid',
    hint: 'Only OCI and Docker v2 image manifests can be scanned.',
  });
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function defaultPlatform(): Platform {
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (os === undefined || os === '' || architecture === undefined || architecture === '') {
    throw new ScanError(`invalid platform "${text}"`, {
      code: 'usage',
      hint: 'Write it as os/arch[/variant], e.g. linux/arm64.',
    });
  }
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** The index entry for the platform; attestation manifests (platform unknown/unknown) never match. */
export function selectPlatform(index: ImageIndex, platform: Platform, what: string): Descriptor {
  const candidates = index.manifests.filter(
    (m) => m.platform?.os === platform.os && m.platform.architecture === platform.architecture,
  );
  const exact = candidates.find(
    (m) => platform.variant === undefined || m.platform?.variant === platform.variant,
  );
  const chosen = exact ?? candidates[0];
  if (chosen !== undefined) return chosen;
  // An index without platform information (a single image wrapped in an index) is taken as is.
  const plain = index.manifests.filter((m) => m.platform === undefined);
  if (plain.length === 1 && plain[0] !== undefined) return plain[0];
  const offered = index.manifests
    .map((m) =>
      m.platform
        ? [m.platform.os, m.platform.architecture, m.platform.variant].filter(Boolean).join('/')
        : '?',
    )
    .join(', ');
  throw new ScanError(
    `${what} has no image for ${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`,
    {
      code: 'image-platform-missing',
      hint: `Pick one of its platforms with --platform (${offered || 'none listed'}).`,
    },
  );
}

export function parseConfig(text: string, what: string): ImageConfig {
  const value = parseJson(text, what);
  if (value === null || typeof value !== 'object') {
    throw new ScanError(`invalid ${what}: not a JSON object`, {
      code: 'image-invalid',
      hint: 'Export or pull the image again.',
    });
  }
  return value;
}

/** Layer descriptors with the config's diff IDs attached, checking that the counts agree. */
export function describeLayers(
  layers: readonly Descriptor[],
  config: ImageConfig,
  what: string,
): LayerDescriptor[] {
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== layers.length) {
    throw new ScanError(
      `invalid OCI image: ${what} lists ${layers.length} layers but its config has ${diffIds.length} diff IDs`,
      {
        code: 'image-invalid',
        hint: 'The manifest and config do not belong together; export or pull the image again.',
      },
    );
  }
  return layers.map((layer, index) => ({
    digest: layer.digest,
    diffId: diffIds[index],
    ...(layer.mediaType === undefined ? {} : { mediaType: layer.mediaType }),
    ...(layer.size === undefined ? {} : { size: layer.size }),
  }));
}
