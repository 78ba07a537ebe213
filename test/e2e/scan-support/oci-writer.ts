/**
 * Writes an OCI image layout from uncompressed layer tars (test and benchmark support): gzip
 * blobs, a config with the diff IDs, a manifest and an index tagged with `ref.name`.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

class Digest extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
}

function putBlob(dir: string, data: string): { digest: string; size: number } {
  const hex = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(dir, 'blobs', 'sha256', hex), data);
  return { digest: `sha256:${hex}`, size: Buffer.byteLength(data) };
}

export interface OciImageSpec {
  layers: string[];
  tag: string;
  history?: string[];
  /** Fixed so repeated writes give the same digests. */
  created?: string;
}

export async function writeOciLayout(
  dir: string,
  spec: OciImageSpec,
): Promise<{ manifestDigest: string; configDigest: string; diffIds: string[] }> {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const diffIds: string[] = [];
  const layers: { mediaType: string; digest: string; size: number }[] = [];
  for (const tarPath of spec.layers) {
    diffIds.push(`sha256:${createHash('sha256').update(readFileSync(tarPath)).digest('hex')}`);
    const temp = join(dir, 'blobs', 'sha256', 'upload.tmp');
    const digest = new Digest();
    await pipeline(createReadStream(tarPath), createGzip({ level: 1 }), digest, createWriteStream(temp));
    const hex = digest.hash.digest('hex');
    renameSync(temp, join(dir, 'blobs', 'sha256', hex));
    layers.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: `sha256:${hex}`,
      size: digest.size,
    });
  }
  const created = spec.created ?? '2026-01-01T00:00:00Z';
  const config = putBlob(
    dir,
    JSON.stringify({
      created,
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: spec.layers.map((_, index) => ({
        created,
        created_by: spec.history?.[index] ?? `layer ${index + 1}`,
      })),
    }),
  );
  const manifest = putBlob(
    dir,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers,
    }),
  );
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': spec.tag },
        },
      ],
    }),
  );
  return { manifestDigest: manifest.digest, configDigest: config.digest, diffIds };
}
