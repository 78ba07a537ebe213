import type { ChartroomError } from '../errors.js';
import { Progress } from './progress.js';
import { renderPlainRows, renderTable, type Column } from './table.js';
import { painter, shouldUseColor, type Painter, type TerminalStream } from './terminal.js';

export type OutputMode = 'text' | 'json';

export interface OutputOptions {
  mode?: OutputMode;
  debug?: boolean;
  noColor?: boolean;
  stdout?: TerminalStream;
  stderr?: TerminalStream;
  env?: NodeJS.ProcessEnv;
}

/**
 * The only place Chartroom writes to the console. Commands hand it results; it decides how they
 * look: human tables and colour on a TTY, plain tab-separated lines otherwise, and one JSON
 * document (or NDJSON events) on stdout with `--output json`. Status and progress go to stderr.
 */
export class Output {
  readonly mode: OutputMode;
  readonly debug: boolean;
  /** Colours for stdout and for stderr: each stream is its own TTY or not. */
  readonly paint: Painter;
  readonly paintErr: Painter;
  readonly stdout: TerminalStream;
  readonly stderr: TerminalStream;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: OutputOptions = {}) {
    this.mode = options.mode ?? 'text';
    this.debug = options.debug ?? false;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.env = options.env ?? process.env;
    this.paint = painter(shouldUseColor(this.stdout, { noColorFlag: options.noColor, env: this.env }));
    this.paintErr = painter(shouldUseColor(this.stderr, { noColorFlag: options.noColor, env: this.env }));
  }

  get json(): boolean {
    return this.mode === 'json';
  }

  /** True when stdout is a terminal a human is looking at. */
  get interactive(): boolean {
    return this.stdout.isTTY === true && this.env.CI === undefined;
  }

  /** The command's result: the value as JSON, or whatever `text` prints for humans. */
  result<T>(value: T, text: (value: T, out: Output) => void): void {
    if (this.json) {
      this.stdout.write(JSON.stringify(value, null, 2) + '\n');
    } else {
      text(value, this);
    }
  }

  /** One event of a stream (rollout progress, alerts): an NDJSON line in JSON mode. */
  event(value: object, text: (out: Output) => void): void {
    if (this.json) this.stdout.write(JSON.stringify(value) + '\n');
    else text(this);
  }

  /** A line of the human result on stdout (ignored in JSON mode, where `result` speaks). */
  line(text = ''): void {
    if (!this.json) this.stdout.write(text + '\n');
  }

  /** Raw bytes of a result that is not ours to format (a decrypted file, a kubeconfig). */
  raw(data: string | Uint8Array): void {
    (this.stdout as { write(chunk: string | Uint8Array): boolean }).write(data);
  }

  table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): void {
    if (this.json) return;
    this.stdout.write(
      this.interactive ? renderTable(rows, columns, this.paint) : renderPlainRows(rows, columns),
    );
  }

  /** Status for humans on stderr; quiet in JSON mode so machine readers see only JSON. */
  info(text: string): void {
    if (!this.json) this.stderr.write(text + '\n');
  }

  warn(text: string): void {
    this.stderr.write(`${this.paintErr('yellow', 'warning:')} ${text}\n`);
  }

  /** Debug detail, shown only with --debug. */
  detail(text: string): void {
    if (this.debug) this.stderr.write(`debug: ${text}\n`);
  }

  progress(options: { plainInterval?: number } = {}): Progress {
    return new Progress({
      stream: this.stderr,
      paint: this.paintErr,
      interactive: this.stderr.isTTY === true && this.env.CI === undefined,
      silent: this.json,
      ...options,
    });
  }

  /**
   * Reports a failure on stderr: `error: <message>` and `hint: <what to do>`, plus the stack and
   * the chain of causes with --debug. In JSON mode the same facts as one JSON object.
   */
  error(error: ChartroomError): void {
    if (this.json) {
      const body: Record<string, unknown> = { error: error.toJSON() };
      if (this.debug) body.stack = error.stack;
      this.stderr.write(JSON.stringify(body) + '\n');
      return;
    }
    const paint = this.paintErr;
    this.stderr.write(`${paint('red', 'error:')} ${error.message}\n`);
    if (error.hint !== undefined) this.stderr.write(`${paint('dim', 'hint:')} ${error.hint}\n`);
    if (this.debug) {
      this.stderr.write(`${error.stack ?? ''}\n`);
      let cause: unknown = error.cause;
      while (cause !== undefined) {
        const text = cause instanceof Error ? (cause.stack ?? cause.message) : JSON.stringify(cause);
        this.stderr.write(`caused by: ${text}\n`);
        cause = cause instanceof Error ? cause.cause : undefined;
      }
    }
  }
}
