/**
 * Pulls an image's manifest and config from a registry and streams its layers through the layer
 * analyser without writing them to disk. Digests are checked for everything fetched by digest.
 */
import { createHash } from 'node:crypto';
import { analyzeLayer } from '../layer.js';
import {
  acceptManifests,
  defaultPlatform,
  describeLayers,
  parseConfig,
  parseManifestOrIndex,
  selectPlatform,
  type Platform,
} from '../manifest.js';
import type { LayerAnalysis, OpenedImage, ReadLayersOptions } from '../types.js';
import { ScanError } from '../../errors.js';
import { bodyStream, RegistryClient } from './client.js';
import { findCredentials } from './credentials.js';
import { formatReference, isLoopbackHost, parseImageReference } from './reference.js';

export interface RegistryOptions {
  display: string;
  platform?: Platform;
  /** Extra registries to reach over plain HTTP (loopback ones always are). */
  insecureRegistries?: readonly string[];
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function fetchVerified(
  client: RegistryClient,
  path: string,
  scope: string,
  expected: string | undefined,
  accept?: string,
) {
  const response = await client.get(path, scope, accept);
  const data = Buffer.from(await response.arrayBuffer());
  const digest = sha256(data);
  if (expected !== undefined && expected !== digest) {
    throw new ScanError(`${path} has digest ${digest}, expected ${expected}`, {
      code: 'layer-digest-mismatch',
      hint: 'The registry served different content than asked for; try again or report it to the registry.',
    });
  }
  return { data, digest, mediaType: response.headers.get('content-type') ?? undefined };
}

export async function openRegistryImage(text: string, options: RegistryOptions): Promise<OpenedImage> {
  const reference = parseImageReference(text);
  const insecure =
    isLoopbackHost(reference.apiHost) || (options.insecureRegistries ?? []).includes(reference.registry);
  const credentials = await findCredentials(reference.registry, { env: options.env });
  const client = new RegistryClient({
    host: reference.apiHost,
    insecure,
    ...(credentials === undefined ? {} : { credentials }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const scope = `repository:${reference.repository}:pull`;
  const repo = `/v2/${reference.repository}`;
  let manifestRef = reference.digest ?? reference.tag ?? 'latest';
  let fetched = await fetchVerified(
    client,
    `${repo}/manifests/${manifestRef}`,
    scope,
    reference.digest,
    acceptManifests,
  );
  let parsed = parseManifestOrIndex(
    fetched.data.toString('utf8'),
    `manifest ${manifestRef}`,
    fetched.mediaType,
  );
  for (let depth = 0; parsed.kind === 'index' && depth < 4; depth++) {
    const chosen = selectPlatform(
      parsed.index,
      options.platform ?? defaultPlatform(),
      formatReference(reference),
    );
    manifestRef = chosen.digest;
    fetched = await fetchVerified(
      client,
      `${repo}/manifests/${chosen.digest}`,
      scope,
      chosen.digest,
      acceptManifests,
    );
    parsed = parseManifestOrIndex(
      fetched.data.toString('utf8'),
      `manifest ${chosen.digest}`,
      chosen.mediaType ?? fetched.mediaType,
    );
  }
  if (parsed.kind !== 'manifest') {
    throw new ScanError(`${formatReference(reference)} is nested too deeply`, {
      code: 'image-invalid',
      hint: 'Scan a specific platform image by digest.',
    });
  }
  const manifest = parsed.manifest;
  const configBlob = await fetchVerified(
    client,
    `${repo}/blobs/${manifest.config.digest}`,
    scope,
    manifest.config.digest,
  );
  const config = parseConfig(configBlob.data.toString('utf8'), `config ${manifest.config.digest}`);
  const layers = describeLayers(manifest.layers, config, `manifest ${fetched.digest}`);
  const { tag: _tag, digest: _digest, ...repository } = reference;
  const name = formatReference(repository);
  return {
    metadata: {
      reference: options.display,
      kind: 'registry',
      repoTags: reference.tag === undefined ? [] : [`${name}:${reference.tag}`],
      repoDigests: [`${name}@${fetched.digest}`],
      imageId: manifest.config.digest,
      manifestDigest: fetched.digest,
      config,
      layers,
    },
    async readLayers(readOptions: ReadLayersOptions): Promise<(LayerAnalysis | undefined)[]> {
      const results: (LayerAnalysis | undefined)[] = [];
      for (const [index, layer] of layers.entries()) {
        if (readOptions.skip?.has(index) === true) {
          results.push(undefined);
          continue;
        }
        const digest = layer.digest ?? '';
        const response = await client.get(`${repo}/blobs/${digest}`, scope);
        const analysis = await analyzeLayer(bodyStream(response), {
          label: digest,
          expectedDigest: layer.digest,
          expectedDiffId: layer.diffId,
          ...(readOptions.signal === undefined ? {} : { signal: readOptions.signal }),
        });
        readOptions.onLayer?.(analysis, index);
        results.push(analysis);
      }
      return results;
    },
    close: () => Promise.resolve(),
  };
}
