import type { TerminalStream } from '../core/output/index.js';

/** A writable that keeps what was written, for tests of what users see. */
export class MemoryStream implements TerminalStream {
  chunks: string[] = [];
  constructor(
    readonly isTTY = false,
    readonly columns = 120,
  ) {}
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}
