/**
 * Small synthetic images for tests: layer tars from a list of entries, and Docker 25-style
 * archives (OCI layout inside a tar, with a legacy manifest.json beside it).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export interface FakeEntry {
  path: string;
  content?: string;
  symlink?: string;
}

async function collect(pack: tar.Pack): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function layerTar(entries: readonly FakeEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const entry of entries) {
    if (entry.symlink !== undefined)
      pack.entry({ name: entry.path, type: 'symlink', linkname: entry.symlink });
    else pack.entry({ name: entry.path }, entry.content ?? '');
  }
  pack.finalize();
  return collect(pack);
}

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** A `docker save` archive as Docker 25 writes it. `swapLayer` stores other bytes than the config promises. */
export async function ociArchive(
  layers: readonly Buffer[],
  options: { gzip: boolean; swapLayer?: Buffer },
): Promise<Buffer> {
  const pack = tar.pack();
  const blobs = layers.map((layer) => (options.gzip ? gzipSync(layer) : layer));
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${sha(l)}`) },
  });
  const stored =
    options.swapLayer === undefined
      ? blobs
      : [options.gzip ? gzipSync(options.swapLayer) : options.swapLayer];
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${sha(config)}`,
      size: config.length,
    },
    layers: stored.map((blob) => ({
      mediaType: `application/vnd.oci.image.layer.v1.tar${options.gzip ? '+gzip' : ''}`,
      digest: `sha256:${sha(blob)}`,
      size: blob.length,
    })),
  });
  for (const blob of stored) pack.entry({ name: `blobs/sha256/${sha(blob)}` }, blob);
  pack.entry({ name: `blobs/sha256/${sha(config)}` }, config);
  pack.entry({ name: `blobs/sha256/${sha(manifest)}` }, manifest);
  pack.entry({ name: 'oci-layout' }, '{"imageLayoutVersion":"1.0.0"}');
  pack.entry(
    { name: 'index.json' },
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${sha(manifest)}`,
          size: manifest.length,
          annotations: {
            'io.containerd.image.name': 'docker.io/library/test:1',
            'org.opencontainers.image.ref.name': '1',
          },
        },
      ],
    }),
  );
  pack.entry(
    { name: 'manifest.json' },
    JSON.stringify([
      {
        Config: `blobs/sha256/${sha(config)}`,
        RepoTags: ['test:1'],
        Layers: stored.map((blob) => `blobs/sha256/${sha(blob)}`),
      },
    ]),
  );
  pack.finalize();
  return collect(pack);
}
