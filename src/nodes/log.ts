/**
 * Structured logs for the long-running commands (agent, queue watcher): one JSON object per line
 * by default (what log collectors parse), or readable lines for a terminal.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LoggerOptions {
  write: (line: string) => void;
  format?: 'json' | 'text';
  level?: LogLevel;
  fields?: LogFields;
}

export function createLogger(options: LoggerOptions): Logger {
  const minimum = order[options.level ?? 'info'];
  const base = options.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (order[level] < minimum) return;
    const time = new Date().toISOString();
    if (options.format === 'text') {
      const extra = Object.entries({ ...base, ...fields })
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      options.write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${extra === '' ? '' : ` ${extra}`}`);
      return;
    }
    options.write(JSON.stringify({ time, level, msg, ...base, ...fields }));
  };
  return {
    debug: (msg, fields) => {
      emit('debug', msg, fields);
    },
    info: (msg, fields) => {
      emit('info', msg, fields);
    },
    warn: (msg, fields) => {
      emit('warn', msg, fields);
    },
    error: (msg, fields) => {
      emit('error', msg, fields);
    },
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (library callers that did not ask for logs). */
export const silentLogger: Logger = createLogger({ write: () => undefined, level: 'error' });
