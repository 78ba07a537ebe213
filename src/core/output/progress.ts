import type { Painter, TerminalStream } from './terminal.js';

/**
 * Progress for long work, on stderr so stdout stays the command's result.
 * On a TTY: a spinner line redrawn in place, with an optional bar. Elsewhere (CI logs, pipes):
 * one plain line when work starts, then at most one line per `plainInterval` while it changes, and
 * a final line — so logs show liveness without thousands of lines.
 */
export interface ProgressOptions {
  stream: TerminalStream;
  paint: Painter;
  /** Draw a spinner (TTY) instead of periodic lines. */
  interactive: boolean;
  /** Milliseconds between plain lines when not interactive. */
  plainInterval?: number;
  /** Suppress everything (JSON mode keeps stderr for errors only). */
  silent?: boolean;
  now?: () => number;
}

export interface ProgressUpdate {
  /** Short text of what is happening now. */
  text: string;
  /** Work done so far and total, when known; draws a bar on a TTY and a percentage in plain mode. */
  done?: number;
  total?: number;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class Progress {
  private readonly options: Required<Omit<ProgressOptions, 'silent'>> & { silent: boolean };
  private label = '';
  private current: ProgressUpdate = { text: '' };
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastPlainAt = 0;
  private lastPlainText = '';
  private started = 0;

  constructor(options: ProgressOptions) {
    this.options = {
      plainInterval: 10_000,
      now: () => Date.now(),
      silent: false,
      ...options,
    };
  }

  start(label: string): this {
    this.label = label;
    this.started = this.options.now();
    this.current = { text: '' };
    if (this.options.silent) return this;
    if (this.options.interactive) {
      this.timer = setInterval(() => {
        this.frame = (this.frame + 1) % frames.length;
        this.draw();
      }, 80);
      this.timer.unref();
      this.draw();
    } else {
      this.plain(`${label}…`);
    }
    return this;
  }

  update(update: ProgressUpdate): void {
    this.current = update;
    if (this.options.silent) return;
    if (this.options.interactive) {
      this.draw();
      return;
    }
    const text = this.describe();
    const now = this.options.now();
    if (text !== this.lastPlainText && now - this.lastPlainAt >= this.options.plainInterval) {
      this.plain(`${this.label}: ${text}`);
    }
  }

  succeed(message?: string): void {
    this.finish(this.options.paint('green', '✓'), message ?? this.label);
  }

  fail(message?: string): void {
    this.finish(this.options.paint('red', '✗'), message ?? this.label);
  }

  private finish(mark: string, message: string): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.silent) return;
    const seconds = ((this.options.now() - this.started) / 1000).toFixed(1);
    if (this.options.interactive) {
      this.options.stream.write(
        `\r\u001b[2K${mark} ${message} ${this.options.paint('dim', `(${seconds}s)`)}\n`,
      );
    } else {
      this.options.stream.write(`${message} (${seconds}s)\n`);
    }
  }

  private describe(): string {
    const { text, done, total } = this.current;
    if (done === undefined || total === undefined || total <= 0) return text;
    const percent = Math.floor((Math.min(done, total) / total) * 100);
    return `${text} ${done}/${total} (${percent}%)`.trim();
  }

  private plain(line: string): void {
    this.lastPlainAt = this.options.now();
    this.lastPlainText = this.describe();
    this.options.stream.write(line + '\n');
  }

  private draw(): void {
    const { paint, stream } = this.options;
    const { done, total } = this.current;
    let bar = '';
    if (done !== undefined && total !== undefined && total > 0) {
      const width = 20;
      const filled = Math.round((Math.min(done, total) / total) * width);
      bar = ` [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
    }
    const spinner = paint('cyan', frames[this.frame] ?? '');
    const line = `${spinner} ${this.label}${bar} ${paint('dim', this.describe())}`;
    const columns = stream.columns ?? 100;
    stream.write(`\r\u001b[2K${line.slice(0, columns + 40)}`);
  }
}
