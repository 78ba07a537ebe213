/**
 * Layer analyses cached by diff ID, so a warm scan of an image whose layers were seen before reads
 * only its manifest and config (a registry scan downloads no layer at all). Entries are written to
 * a temp file and renamed; a corrupt entry is treated as a miss.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/files.js';
import type { LayerAnalysis } from './types.js';

/** Bump when the analyser keeps different files, so old entries are not reused. */
const analyserVersion = 'v1';

export class LayerCache {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'layers', analyserVersion);
  }

  private path(diffId: string): string | undefined {
    const match = /^sha256:([a-f0-9]{64})$/.exec(diffId);
    return match ? join(this.dir, `${match[1]}.json`) : undefined;
  }

  get(diffId: string | undefined): LayerAnalysis | undefined {
    const path = diffId === undefined ? undefined : this.path(diffId);
    if (path === undefined) return undefined;
    try {
      const value = JSON.parse(readFileSync(path, 'utf8')) as LayerAnalysis;
      return value.diffId === diffId ? value : undefined;
    } catch {
      return undefined;
    }
  }

  put(analysis: LayerAnalysis): void {
    const path = this.path(analysis.diffId);
    if (path === undefined) return;
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(path, JSON.stringify(analysis));
  }
}
