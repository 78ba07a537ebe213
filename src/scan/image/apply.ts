/**
 * Merges per-layer analyses into the image's final view of the interesting files, applying each
 * layer's whiteouts and opaque folders to the layers below it, bottom first — the overlay rules
 * of the OCI image spec. Symlinks (Debian's etc/os-release → ../usr/lib/os-release) are resolved
 * against the merged view.
 */
import { posix } from 'node:path';
import type { LayerAnalysis } from './types.js';

interface MergedEntry {
  layer: number;
  content?: string;
  symlink?: string;
}

export interface MergedFile {
  path: string;
  content: string;
  /** Index of the layer the file came from. */
  layer: number;
}

export class MergedFs {
  private readonly entries = new Map<string, MergedEntry>();

  constructor(layers: readonly LayerAnalysis[]) {
    layers.forEach((layer, index) => {
      for (const dir of layer.opaqueDirs) this.removeBelow(dir);
      for (const path of layer.whiteouts) {
        this.entries.delete(path);
        this.removeBelow(path);
      }
      for (const [path, target] of Object.entries(layer.symlinks))
        this.entries.set(path, { layer: index, symlink: target });
      for (const [path, content] of Object.entries(layer.files))
        this.entries.set(path, { layer: index, content });
    });
  }

  private removeBelow(dir: string): void {
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const path of [...this.entries.keys()]) if (path.startsWith(prefix)) this.entries.delete(path);
  }

  /** The file at `path`, following up to 16 symlinks; undefined when absent. */
  read(path: string): MergedFile | undefined {
    let current = path;
    for (let hops = 0; hops < 16; hops++) {
      const entry = this.entries.get(current);
      if (entry === undefined) return undefined;
      if (entry.content !== undefined) return { path: current, content: entry.content, layer: entry.layer };
      const target = entry.symlink ?? '';
      current = posix.normalize(
        target.startsWith('/') ? target.slice(1) : posix.join(posix.dirname(current), target),
      );
      if (current.startsWith('../')) current = current.replace(/^(\.\.\/)+/, '');
    }
    return undefined;
  }

  /** Files directly inside `dir`, sorted by name. */
  list(dir: string): MergedFile[] {
    const prefix = `${dir}/`;
    const files: MergedFile[] = [];
    for (const path of [...this.entries.keys()].sort()) {
      if (!path.startsWith(prefix) || path.slice(prefix.length).includes('/')) continue;
      const file = this.read(path);
      if (file !== undefined) files.push({ ...file, path });
    }
    return files;
  }
}
