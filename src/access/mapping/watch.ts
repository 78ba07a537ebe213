/**
 * Keeps a mapping file loaded: reloads it when it changes (polling its identity, which also sees a
 * ConfigMap volume's symlink swap), reports a bad edit with its line, and keeps the last good
 * mapping in force until the file is fixed.
 */
import { readFile, stat } from 'node:fs/promises';
import type { IdentityMapper } from './mapper.js';
import type { MappingConfig } from './types.js';

export interface WatchMappingOptions {
  path: string;
  mapper: IdentityMapper;
  signal: AbortSignal;
  intervalMs?: number;
  onLoad?: (config: MappingConfig) => void;
  onError?: (error: unknown) => void;
}

/** Loads the file once (throwing if it is bad: a server must not start without a mapping), then watches it. */
export async function watchMappingFile(options: WatchMappingOptions): Promise<MappingConfig> {
  const first = options.mapper.load(await readFile(options.path, 'utf8'), options.path);
  let seen = await identity(options.path);
  const timer = setInterval(() => {
    void (async () => {
      try {
        const now = await identity(options.path);
        if (now === seen) return;
        seen = now;
        // Not inside `onLoad?.(…)`: an optional call skips evaluating its arguments when absent.
        const loaded = options.mapper.load(await readFile(options.path, 'utf8'), options.path);
        options.onLoad?.(loaded);
      } catch (error) {
        options.onError?.(error);
      }
    })();
  }, options.intervalMs ?? 1000);
  timer.unref();
  options.signal.addEventListener('abort', () => {
    clearInterval(timer);
  });
  return first;
}

async function identity(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}
