/**
 * `docker save` archives, plain or gzip-compressed: the legacy layout (manifest.json,
 * <config>.json, <id>/layer.tar) and Docker 25+'s OCI layout inside the tar (index.json and
 * blobs/sha256/*, with a legacy manifest.json beside it). Also plain OCI archives (index.json only).
 *
 * A tar cannot be read out of order, so the archive is streamed twice: the first pass keeps only
 * the small JSON entries (manifests and configs); the second streams the wanted layers through the
 * layer analyser. Neither pass holds a layer in memory.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ScanError } from '../errors.js';
import { normalizePath } from './interesting.js';
import { analyzeLayer } from './layer.js';
import {
  defaultPlatform,
  describeLayers,
  isIndexType,
  parseConfig,
  parseManifestOrIndex,
  selectPlatform,
  type Descriptor,
  type Platform,
} from './manifest.js';
import type { LayerAnalysis, LayerDescriptor, OpenedImage, ReadLayersOptions } from './types.js';

interface LegacyManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

const maxJsonEntry = 16 * 1024 * 1024;

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function archiveStream(path: string): Promise<Readable> {
  // Sniff first: a stream opened before a failing await would emit its own open error to no one
  // (an unreadable archive crashed the process after the error was already reported).
  const gzip = await isGzip(path);
  const file = createReadStream(path);
  if (!gzip) return file;
  const gunzip = createGunzip();
  file.on('error', (error) => gunzip.destroy(error));
  return file.pipe(gunzip);
}

/** Pass 1: every entry that starts like JSON (manifests, configs, repositories) kept in memory. */
async function readJsonEntries(path: string, signal?: AbortSignal): Promise<Map<string, string>> {
  const json = new Map<string, string>();
  const extract = tar.extract();
  const source = await archiveStream(path);
  source.on('error', (error) => {
    extract.destroy(error);
  });
  source.pipe(extract);
  const abort = (): void => {
    extract.destroy(signal?.reason as Error);
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const entry of extract) {
      const size = entry.header.size;
      if (entry.header.type !== 'file' || size > maxJsonEntry || size === 0) {
        entry.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      let first = true;
      let keep = true;
      for await (const chunk of entry) {
        const buffer = chunk as Buffer;
        if (first) {
          first = false;
          const start = buffer.toString('utf8', 0, 16).trimStart()[0];
          keep = start === '{' || start === '[';
        }
        if (keep) chunks.push(buffer);
      }
      if (keep) json.set(normalizePath(entry.header.name), Buffer.concat(chunks).toString('utf8'));
    }
  } catch (error) {
    if (signal?.aborted === true) throw error;
    throw new ScanError(`could not read the archive ${path}: ${(error as Error).message}`, {
      code: 'image-unreadable',
      hint: 'Is it a `docker save` or OCI archive? The file may be truncated.',
      cause: error,
    });
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  return json;
}

function blobName(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

interface Resolved {
  repoTags: string[];
  configName: string;
  layerNames: string[];
  layers: LayerDescriptor[];
  manifestDigest?: string;
}

function resolveLegacy(
  json: Map<string, string>,
  path: string,
  tag: string | undefined,
): Resolved | undefined {
  const text = json.get('manifest.json');
  if (text === undefined) return undefined;
  let entries: LegacyManifestEntry[];
  try {
    entries = JSON.parse(text) as LegacyManifestEntry[];
  } catch (error) {
    throw new ScanError(`invalid manifest.json in ${path}`, {
      code: 'image-invalid',
      hint: 'Save the image again.',
      cause: error,
    });
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new ScanError(`no valid manifest in ${path}`, {
      code: 'image-invalid',
      hint: 'The archive holds no image.',
    });
  }
  // docker save of several images: like Trivy, take the first unless a tag says otherwise.
  const entry = tag === undefined ? entries[0] : entries.find((e) => e.RepoTags?.includes(tag));
  if (entry === undefined) {
    const tags = entries.flatMap((e) => e.RepoTags ?? []);
    throw new ScanError(`no image tagged ${tag} in ${path}`, {
      code: 'image-not-found',
      hint: `Tags in it: ${tags.join(', ') || 'none'}.`,
    });
  }
  const configText = json.get(normalizePath(entry.Config));
  if (configText === undefined) {
    throw new ScanError(`invalid OCI image: the config ${entry.Config} is missing from ${path}`, {
      code: 'image-invalid',
      hint: 'The archive is incomplete; save the image again.',
    });
  }
  const config = parseConfig(configText, `config ${entry.Config}`);
  const layerNames = entry.Layers.map(normalizePath);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== layerNames.length) {
    throw new ScanError(
      `invalid OCI image: ${path} lists ${layerNames.length} layers but its config has ${diffIds.length} diff IDs`,
      {
        code: 'image-invalid',
        hint: 'Save the image again.',
      },
    );
  }
  const layers = layerNames.map((name, index) => {
    const blob = /^blobs\/(sha256)\/([a-f0-9]{64})$/.exec(name);
    return { diffId: diffIds[index], ...(blob ? { digest: `${blob[1]}:${blob[2]}` } : {}) };
  });
  return { repoTags: entry.RepoTags ?? [], configName: normalizePath(entry.Config), layerNames, layers };
}

function resolveOci(
  json: Map<string, string>,
  path: string,
  tag: string | undefined,
  platform: Platform,
): Resolved {
  const indexText = json.get('index.json');
  if (indexText === undefined) {
    throw new ScanError(
      `${path} is neither a docker save archive nor an OCI archive (no manifest.json or index.json)`,
      {
        code: 'image-invalid',
        hint: 'Create it with `docker save IMAGE -o FILE` or `skopeo copy … docker-archive:FILE`.',
      },
    );
  }
  const parsed = parseManifestOrIndex(indexText, 'index.json', 'application/vnd.oci.image.index.v1+json');
  if (parsed.kind !== 'index' || parsed.index.manifests.length === 0) {
    throw new ScanError(`no valid manifest in ${path}`, {
      code: 'image-invalid',
      hint: 'The archive holds no image.',
    });
  }
  let chosen: Descriptor | undefined =
    tag === undefined
      ? parsed.index.manifests[0]
      : parsed.index.manifests.find(
          (m) =>
            m.annotations?.['org.opencontainers.image.ref.name'] === tag ||
            m.annotations?.['io.containerd.image.name']?.endsWith(`:${tag}`),
        );
  if (chosen === undefined)
    throw new ScanError(`invalid OCI image ref: no image tagged ${tag} in ${path}`, {
      code: 'image-not-found',
      hint: 'Check the tag.',
    });
  const blob = (descriptor: Descriptor, what: string): string => {
    const text = json.get(blobName(descriptor.digest));
    if (text === undefined) {
      throw new ScanError(
        `invalid OCI image: the ${what} blob ${descriptor.digest} is missing from ${path}`,
        {
          code: 'image-invalid',
          hint: 'The archive is incomplete; save the image again.',
        },
      );
    }
    return text;
  };
  for (let depth = 0; isIndexType(chosen.mediaType) && depth < 4; depth++) {
    const nested = parseManifestOrIndex(blob(chosen, 'index'), `index ${chosen.digest}`, chosen.mediaType);
    if (nested.kind !== 'index') break;
    chosen = selectPlatform(nested.index, platform, `index ${chosen.digest}`);
  }
  const parsedManifest = parseManifestOrIndex(
    blob(chosen, 'manifest'),
    `manifest ${chosen.digest}`,
    chosen.mediaType,
  );
  if (parsedManifest.kind !== 'manifest')
    throw new ScanError(`invalid OCI image in ${path}`, {
      code: 'image-invalid',
      hint: 'Save the image again.',
    });
  const manifest = parsedManifest.manifest;
  const config = parseConfig(blob(manifest.config, 'config'), `config ${manifest.config.digest}`);
  const image = chosen.annotations?.['io.containerd.image.name'];
  return {
    repoTags: image === undefined ? [] : [image],
    configName: blobName(manifest.config.digest),
    layerNames: manifest.layers.map((layer) => blobName(layer.digest)),
    layers: describeLayers(manifest.layers, config, `manifest ${chosen.digest}`),
    manifestDigest: chosen.digest,
  };
}

export async function openDockerArchive(
  path: string,
  options: { display: string; tag?: string; platform?: Platform; signal?: AbortSignal },
): Promise<OpenedImage> {
  const info = await stat(path).catch((error: unknown) => {
    throw new ScanError(`unable to open ${path}: ${(error as Error).message}`, {
      code: 'image-not-found',
      exitCode: 4,
      hint: 'Check the path; create an archive with `docker save IMAGE -o FILE`.',
      cause: error,
    });
  });
  if (!info.isFile())
    throw new ScanError(`unable to open ${path}: not a file`, {
      code: 'image-not-found',
      exitCode: 4,
      hint: 'Check the path.',
    });
  const json = await readJsonEntries(path, options.signal);
  const resolved =
    resolveLegacy(json, path, options.tag) ??
    resolveOci(json, path, options.tag, options.platform ?? defaultPlatform());
  const config = parseConfig(json.get(resolved.configName) ?? '', 'config');
  const configDigest = resolved.configName.startsWith('blobs/')
    ? resolved.configName.slice('blobs/'.length).replace('/', ':')
    : `sha256:${resolved.configName.replace(/\.json$/, '')}`;
  return {
    metadata: {
      reference: options.display,
      kind: 'docker-archive',
      repoTags: resolved.repoTags,
      repoDigests: [],
      imageId: configDigest,
      ...(resolved.manifestDigest === undefined ? {} : { manifestDigest: resolved.manifestDigest }),
      config,
      layers: resolved.layers,
    },
    readLayers: (readOptions) => readArchiveLayers(path, resolved, readOptions),
    close: () => Promise.resolve(),
  };
}

/** Pass 2: stream the archive once more and analyse each wanted layer where it lies. */
async function readArchiveLayers(
  path: string,
  resolved: Resolved,
  options: ReadLayersOptions,
): Promise<(LayerAnalysis | undefined)[]> {
  const results: (LayerAnalysis | undefined)[] = resolved.layerNames.map(() => undefined);
  const wanted = new Map<string, number[]>();
  resolved.layerNames.forEach((name, index) => {
    if (options.skip?.has(index) === true) return;
    wanted.set(name, [...(wanted.get(name) ?? []), index]);
  });
  if (wanted.size === 0) return results;
  const extract = tar.extract();
  const source = await archiveStream(path);
  source.on('error', (error) => {
    extract.destroy(error);
  });
  source.pipe(extract);
  for await (const entry of extract) {
    const indexes = wanted.get(normalizePath(entry.header.name));
    if (indexes === undefined) {
      entry.resume();
      continue;
    }
    const layer = resolved.layers[indexes[0] ?? -1] ?? {};
    const analysis = await analyzeLayer(Readable.from(entry), {
      label: entry.header.name,
      ...(layer.digest === undefined ? {} : { expectedDigest: layer.digest }),
      ...(layer.diffId === undefined ? {} : { expectedDiffId: layer.diffId }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    for (const index of indexes) {
      results[index] = analysis;
      options.onLayer?.(analysis, index);
    }
    wanted.delete(normalizePath(entry.header.name));
  }
  if (wanted.size > 0) {
    throw new ScanError(`invalid OCI image: layer ${[...wanted.keys()][0]} is missing from ${path}`, {
      code: 'image-invalid',
      hint: 'The archive is incomplete; save the image again.',
    });
  }
  return results;
}
