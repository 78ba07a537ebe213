/**
 * OCI image layout folders (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`), as written by
 * skopeo, buildah, `docker buildx --output type=oci` and crane. A reference picks the image by tag
 * (the `org.opencontainers.image.ref.name` annotation) or by digest; nested indexes are followed
 * to the requested platform.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanError } from '../errors.js';
import { analyzeLayer } from './layer.js';
import {
  defaultPlatform,
  describeLayers,
  isIndexType,
  parseConfig,
  parseManifestOrIndex,
  selectPlatform,
  type Descriptor,
  type ImageIndex,
  type Platform,
} from './manifest.js';
import type { LayerAnalysis, OpenedImage, ReadLayersOptions } from './types.js';

export interface OciReference {
  tag?: string;
  digest?: string;
}

const refName = 'org.opencontainers.image.ref.name';

function blobPath(dir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return join(dir, 'blobs', algorithm, hex);
}

async function readBlob(dir: string, descriptor: Descriptor, what: string): Promise<string> {
  let data: Buffer;
  try {
    data = await readFile(blobPath(dir, descriptor.digest));
  } catch (error) {
    throw new ScanError(`invalid OCI image: the ${what} blob ${descriptor.digest} is missing from ${dir}`, {
      code: 'image-invalid',
      hint: 'The layout is incomplete; copy it again (skopeo copy … oci:DIR).',
      cause: error,
    });
  }
  const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  if (descriptor.digest.startsWith('sha256:') && actual !== descriptor.digest) {
    throw new ScanError(`invalid OCI image: the ${what} blob ${descriptor.digest} has digest ${actual}`, {
      code: 'layer-digest-mismatch',
      hint: 'The blob is corrupt; copy the layout again.',
    });
  }
  return data.toString('utf8');
}

async function readIndex(dir: string): Promise<ImageIndex> {
  let text: string;
  try {
    text = await readFile(join(dir, 'index.json'), 'utf8');
  } catch (error) {
    throw new ScanError(`unable to retrieve index.json from ${dir}: ${(error as Error).message}`, {
      code: 'image-unreadable',
      hint: 'Pass the folder of an OCI image layout (it holds oci-layout, index.json and blobs/).',
      cause: error,
    });
  }
  const parsed = parseManifestOrIndex(text, 'index.json', 'application/vnd.oci.image.index.v1+json');
  if (parsed.kind !== 'index' || parsed.index.manifests.length === 0) {
    throw new ScanError(`no valid manifest in ${join(dir, 'index.json')}`, {
      code: 'image-invalid',
      hint: 'The layout holds no image; copy one into it first.',
    });
  }
  return parsed.index;
}

/**
 * Finds the image manifest a reference means: by tag annotation or digest in the top index, else
 * the only entry; an index entry is followed to the platform's manifest.
 */
export async function resolveOciManifest(
  dir: string,
  reference: OciReference,
  platform: Platform = defaultPlatform(),
): Promise<Descriptor> {
  const index = await readIndex(dir);
  let chosen: Descriptor | undefined;
  if (reference.tag !== undefined) {
    chosen = index.manifests.find((m) => m.annotations?.[refName] === reference.tag);
    if (chosen === undefined) {
      throw new ScanError(`invalid OCI image ref: no image tagged "${reference.tag}" in ${dir}`, {
        code: 'image-not-found',
        hint: `Tags in this layout: ${
          index.manifests
            .map((m) => m.annotations?.[refName])
            .filter(Boolean)
            .join(', ') || 'none'
        }.`,
      });
    }
  } else if (reference.digest !== undefined) {
    chosen = index.manifests.find((m) => m.digest === reference.digest);
    if (chosen === undefined) {
      throw new ScanError(`invalid OCI image ref: no image with digest ${reference.digest} in ${dir}`, {
        code: 'image-not-found',
        hint: 'Check the digest (skopeo inspect oci:DIR shows it).',
      });
    }
  } else if (index.manifests.length === 1) {
    chosen = index.manifests[0];
  } else {
    const platformMatch = index.manifests.filter((m) => m.platform !== undefined);
    if (platformMatch.length === index.manifests.length)
      chosen = selectPlatform(index, platform, 'index.json');
    else {
      throw new ScanError(`${dir} holds ${index.manifests.length} images; say which one`, {
        code: 'usage',
        hint: 'Append :TAG or @sha256:DIGEST to the layout path.',
      });
    }
  }
  for (let depth = 0; chosen !== undefined && isIndexType(chosen.mediaType) && depth < 4; depth++) {
    const nested = parseManifestOrIndex(
      await readBlob(dir, chosen, 'index'),
      `index ${chosen.digest}`,
      chosen.mediaType,
    );
    if (nested.kind !== 'index') break;
    chosen = selectPlatform(nested.index, platform, `index ${chosen.digest}`);
  }
  if (chosen === undefined)
    throw new ScanError(`no valid manifest in ${dir}`, {
      code: 'image-invalid',
      hint: 'The layout holds no image.',
    });
  return chosen;
}

export async function openOciLayout(
  dir: string,
  reference: OciReference & { display: string; platform?: Platform },
): Promise<OpenedImage> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    throw new ScanError(`unable to open ${dir}: not a folder`, {
      code: 'image-not-found',
      exitCode: 4,
      hint: 'Check the path.',
    });
  }
  const descriptor = await resolveOciManifest(dir, reference, reference.platform);
  const parsed = parseManifestOrIndex(
    await readBlob(dir, descriptor, 'manifest'),
    `manifest ${descriptor.digest}`,
    descriptor.mediaType,
  );
  if (parsed.kind !== 'manifest') {
    throw new ScanError(`invalid OCI image: ${descriptor.digest} is not an image manifest`, {
      code: 'image-invalid',
      hint: 'Pick an image, not an index.',
    });
  }
  const manifest = parsed.manifest;
  const config = parseConfig(
    await readBlob(dir, manifest.config, 'config'),
    `config ${manifest.config.digest}`,
  );
  const layers = describeLayers(manifest.layers, config, `manifest ${descriptor.digest}`);
  const tag = reference.tag ?? descriptor.annotations?.[refName];
  return {
    metadata: {
      reference: reference.display,
      kind: 'oci-layout',
      repoTags: tag === undefined ? [] : [tag],
      repoDigests: [],
      imageId: manifest.config.digest,
      manifestDigest: descriptor.digest,
      config,
      layers,
    },
    async readLayers(options: ReadLayersOptions): Promise<(LayerAnalysis | undefined)[]> {
      const results: (LayerAnalysis | undefined)[] = [];
      for (const [index, layer] of layers.entries()) {
        if (options.skip?.has(index) === true) {
          results.push(undefined);
          continue;
        }
        const digest = layer.digest ?? '';
        const analysis = await analyzeLayer(createReadStream(blobPath(dir, digest)), {
          label: digest,
          expectedDigest: layer.digest,
          expectedDiffId: layer.diffId,
          signal: options.signal,
        });
        options.onLayer?.(analysis, index);
        results.push(analysis);
      }
      return results;
    },
    close: () => Promise.resolve(),
  };
}
