/**
 * Reads an image from any source into what the scanner needs: metadata, the OS, the installed
 * packages with their layers, and per-layer timings. Layer analyses are cached by diff ID.
 */
import { performance } from 'node:perf_hooks';
import { detectOs, type DetectedOs } from '../os/detect.js';
import { readPackagesWithLayers, type InstalledPackage } from '../pkgdb/index.js';
import { MergedFs } from './apply.js';
import { LayerCache } from './cache.js';
import { openDockerArchive } from './docker-archive.js';
import type { Platform } from './manifest.js';
import { openOciLayout } from './oci-layout.js';
import { parseImageArgument, type ImageSourceSpec } from './reference.js';
import { openRegistryImage } from './registry/source.js';
import type { ImageMetadata, LayerAnalysis, OpenedImage } from './types.js';

export type { ImageMetadata, LayerAnalysis, LayerDescriptor, ImageConfig, OpenedImage } from './types.js';
export { parseImageArgument, type ImageSourceSpec } from './reference.js';
export { parsePlatform, type Platform } from './manifest.js';
export { resolveOciManifest } from './oci-layout.js';
export { parseImageReference, formatReference } from './registry/reference.js';
export { MergedFs } from './apply.js';
export { analyzeLayer } from './layer.js';

export interface ImageOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  platform?: Platform;
  insecureRegistries?: readonly string[];
  /** Folder of the layer cache; no caching when undefined. */
  cacheDir?: string;
  onLayer?: (layer: LayerReport) => void;
}

export interface LayerReport {
  index: number;
  total: number;
  digest?: string;
  diffId: string;
  /** Uncompressed bytes and tar entries. */
  bytes: number;
  entries: number;
  cached: boolean;
  /** Time spent reading this layer (0 when cached). */
  seconds: number;
}

export interface ImageInventory {
  metadata: ImageMetadata;
  os?: DetectedOs;
  packages: InstalledPackage[];
  layers: LayerReport[];
}

export async function openImage(spec: ImageSourceSpec, options: ImageOptions): Promise<OpenedImage> {
  const common = {
    display: spec.display,
    ...(options.platform === undefined ? {} : { platform: options.platform }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  switch (spec.kind) {
    case 'docker-archive':
      return openDockerArchive(spec.path, {
        ...common,
        ...(spec.tag === undefined ? {} : { tag: spec.tag }),
      });
    case 'oci-layout':
      return openOciLayout(spec.path, {
        ...common,
        ...(spec.tag === undefined ? {} : { tag: spec.tag }),
        ...(spec.digest === undefined ? {} : { digest: spec.digest }),
      });
    case 'registry':
      return openRegistryImage(spec.reference, {
        ...common,
        env: options.env,
        ...(options.insecureRegistries === undefined
          ? {}
          : { insecureRegistries: options.insecureRegistries }),
      });
  }
}

export async function inspectImage(argument: string, options: ImageOptions): Promise<ImageInventory> {
  const image = await openImage(parseImageArgument(argument, options.cwd), options);
  try {
    const { metadata } = image;
    const cache = options.cacheDir === undefined ? undefined : new LayerCache(options.cacheDir);
    const total = metadata.layers.length;
    const analyses: (LayerAnalysis | undefined)[] = metadata.layers.map((layer) => cache?.get(layer.diffId));
    const reports: LayerReport[] = [];
    const report = (analysis: LayerAnalysis, index: number, cached: boolean, seconds: number): void => {
      const entry: LayerReport = {
        index,
        total,
        ...(analysis.digest === undefined
          ? {}
          : { digest: metadata.layers[index]?.digest ?? analysis.digest }),
        diffId: analysis.diffId,
        bytes: analysis.bytes,
        entries: analysis.entries,
        cached,
        seconds,
      };
      reports[index] = entry;
      options.onLayer?.(entry);
    };
    analyses.forEach((analysis, index) => {
      if (analysis !== undefined) report(analysis, index, true, 0);
    });
    const skip = new Set(analyses.flatMap((analysis, index) => (analysis === undefined ? [] : [index])));
    if (skip.size < total) {
      let started = performance.now();
      const read = await image.readLayers({
        skip,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onLayer: (analysis, index) => {
          const now = performance.now();
          report(analysis, index, false, (now - started) / 1000);
          started = now;
          cache?.put(analysis);
        },
      });
      read.forEach((analysis, index) => {
        if (analysis !== undefined) analyses[index] = analysis;
      });
    }
    const layers = analyses.filter((analysis): analysis is LayerAnalysis => analysis !== undefined);
    const os = detectOs(new MergedFs(layers));
    return {
      metadata,
      ...(os === undefined ? {} : { os }),
      packages: readPackagesWithLayers(layers),
      layers: reports,
    };
  } finally {
    await image.close();
  }
}
