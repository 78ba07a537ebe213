/** What every image source (archive, OCI layout, registry) produces for the scanner. */

export interface LayerDescriptor {
  /** Digest of the blob as stored (compressed), when the source knows it. */
  digest?: string;
  /** Digest of the uncompressed tar (from the image config's rootfs.diff_ids). */
  diffId?: string;
  mediaType?: string;
  size?: number;
}

/** The interesting content of one layer: only the files the scanner reads, and its deletions. */
export interface LayerAnalysis {
  diffId: string;
  digest?: string;
  /** Bytes of uncompressed tar read, and the number of entries in it. */
  bytes: number;
  entries: number;
  files: Record<string, string>;
  symlinks: Record<string, string>;
  /** Paths deleted from lower layers (`.wh.<name>`). */
  whiteouts: string[];
  /** Folders whose lower-layer content is hidden (`.wh..wh..opq`). */
  opaqueDirs: string[];
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> };
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[];
}

export interface ImageMetadata {
  /** What the user asked for, e.g. `alpine:3.10`, `oci:./dir:tag`, `./alpine.tar`. */
  reference: string;
  kind: 'docker-archive' | 'oci-layout' | 'registry';
  repoTags: string[];
  repoDigests: string[];
  /** sha256 of the config blob (Docker's image ID). */
  imageId: string;
  manifestDigest?: string;
  config: ImageConfig;
  layers: LayerDescriptor[];
}

export interface LayerProgress {
  index: number;
  total: number;
  cached: boolean;
  bytes: number;
  seconds: number;
}

export interface ReadLayersOptions {
  signal?: AbortSignal;
  /** Layers (by index) whose analysis is already known and need not be read. */
  skip?: ReadonlySet<number>;
  onLayer?: (analysis: LayerAnalysis, index: number) => void;
}

/** An opened image: metadata now, layers streamed on request. */
export interface OpenedImage {
  metadata: ImageMetadata;
  /** Streams and analyses every layer not in `skip`; the result is indexed like metadata.layers. */
  readLayers(options: ReadLayersOptions): Promise<(LayerAnalysis | undefined)[]>;
  close(): Promise<void>;
}
