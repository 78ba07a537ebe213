/**
 * Streams one layer blob and keeps only what the scanner needs (see interesting.ts). The blob may
 * be a plain tar or gzip-compressed; zstd needs a Node.js with zlib zstd (22.15+). Nothing but the
 * interesting files is held in memory, and both digests are computed on the way through.
 */
import { createHash, type Hash } from 'node:crypto';
import { posix } from 'node:path';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';
import { ScanError } from '../errors.js';
import { isInteresting, maxInterestingBytes, normalizePath } from './interesting.js';
import type { LayerAnalysis } from './types.js';

class Hasher extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

type Compression = 'gzip' | 'zstd' | 'none';

function compressionOf(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

function decompressor(kind: Compression): Transform {
  if (kind === 'gzip') return zlib.createGunzip();
  if (kind === 'zstd') {
    const create = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
    if (create === undefined) {
      throw new ScanError('this layer is zstd-compressed, which needs Node.js 22.15 or newer', {
        code: 'layer-zstd-unsupported',
        hint: 'Run Chartroom on a newer Node.js, or re-push the image with gzip layers.',
      });
    }
    return create();
  }
  return new PassThrough();
}

/** Reads the first bytes of a stream without consuming them. */
async function peek(stream: Readable, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= count) break;
      continue;
    }
    if (stream.readableEnded) break;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        stream.off('readable', done).off('end', done).off('error', fail);
        resolve();
      };
      const fail = (error: Error): void => {
        stream.off('readable', done).off('end', done);
        reject(error);
      };
      stream.once('readable', done).once('end', done).once('error', fail);
    });
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) stream.unshift(head);
  return head.subarray(0, Math.max(count, 0));
}

export interface AnalyzeLayerOptions {
  signal?: AbortSignal;
  /** The digest the blob must have (registry and OCI blobs); checked when the stream ends. */
  expectedDigest?: string;
  /** The uncompressed digest the config promises; checked when the stream ends. */
  expectedDiffId?: string;
  /** Shown in errors. */
  label: string;
}

export async function analyzeLayer(source: Readable, options: AnalyzeLayerOptions): Promise<LayerAnalysis> {
  const compressed = new Hasher();
  const uncompressed = new Hasher();
  const analysis: LayerAnalysis = {
    diffId: '',
    bytes: 0,
    entries: 0,
    files: {},
    symlinks: {},
    whiteouts: [],
    opaqueDirs: [],
  };
  const tapped = source.pipe(compressed);
  source.on('error', (error) => tapped.destroy(error));
  const head = await peek(tapped, 4);
  const kind = head.length >= 4 ? compressionOf(head) : 'none';
  const extract = tar.extract();
  const reading = readEntries(extract, analysis);
  try {
    await pipeline(tapped, decompressor(kind), uncompressed, extract, { signal: options.signal });
    await reading;
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    if (error instanceof ScanError) throw error;
    throw new ScanError(`could not read layer ${options.label}: ${(error as Error).message}`, {
      code: 'layer-unreadable',
      hint: 'The image file may be truncated or corrupt; export or pull it again.',
      cause: error,
    });
  }
  analysis.diffId = `sha256:${uncompressed.hash.digest('hex')}`;
  analysis.bytes = uncompressed.bytes;
  const digest = `sha256:${compressed.hash.digest('hex')}`;
  analysis.digest = digest;
  if (options.expectedDigest !== undefined && options.expectedDigest !== digest) {
    throw new ScanError(
      `layer ${options.label} has digest ${digest}, but the manifest says ${options.expectedDigest}`,
      {
        code: 'layer-digest-mismatch',
        hint: 'The blob is corrupt or was replaced; fetch the image again.',
      },
    );
  }
  if (options.expectedDiffId !== undefined && options.expectedDiffId !== analysis.diffId) {
    throw new ScanError(
      `layer ${options.label} has diff ID ${analysis.diffId}, but the image config says ${options.expectedDiffId}`,
      {
        code: 'layer-digest-mismatch',
        hint: 'The layer does not belong to this image config; fetch the image again.',
      },
    );
  }
  return analysis;
}

async function readEntries(extract: tar.Extract, analysis: LayerAnalysis): Promise<void> {
  for await (const entry of extract) {
    analysis.entries++;
    const header = entry.header;
    const path = normalizePath(header.name);
    const base = posix.basename(path);
    if (base.startsWith('.wh.')) {
      const dir = posix.dirname(path);
      if (base === '.wh..wh..opq') analysis.opaqueDirs.push(dir === '.' ? '' : dir);
      else analysis.whiteouts.push(posix.join(dir === '.' ? '' : dir, base.slice(4)));
      entry.resume();
      continue;
    }
    if (!isInteresting(path)) {
      entry.resume();
      continue;
    }
    if (header.type === 'symlink') {
      analysis.symlinks[path] = header.linkname;
      entry.resume();
    } else if (header.type === 'link') {
      const target = analysis.files[normalizePath(header.linkname)];
      if (target !== undefined) analysis.files[path] = target;
      entry.resume();
    } else if (
      (header.type === 'file' || header.type === 'contiguous-file') &&
      header.size <= maxInterestingBytes
    ) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      analysis.files[path] = Buffer.concat(chunks).toString('utf8');
      // A regular file replaces a symlink written earlier at the same path.
      analysis.symlinks = Object.fromEntries(
        Object.entries(analysis.symlinks).filter(([link]) => link !== path),
      );
    } else {
      entry.resume();
    }
  }
}
