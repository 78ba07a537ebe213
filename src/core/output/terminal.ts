/** Facts about where output goes: is it a terminal, may we use colour. */

export interface TerminalStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ColorChoice {
  /** `--no-color` on the command line. */
  noColorFlag?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * Colour follows the usual conventions: off with --no-color or NO_COLOR (any value), on with
 * FORCE_COLOR (not "0"), otherwise only on a TTY whose TERM is not "dumb".
 */
export function shouldUseColor(stream: TerminalStream, choice: ColorChoice = {}): boolean {
  const env = choice.env ?? process.env;
  if (choice.noColorFlag === true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const codes = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

export type Style = keyof typeof codes;

export type Painter = (style: Style, text: string) => string;

export function painter(enabled: boolean): Painter {
  if (!enabled) return (_style, text) => text;
  return (style, text) => `\u001b[${codes[style][0]}m${text}\u001b[${codes[style][1]}m`;
}

// eslint-disable-next-line no-control-regex -- matching ANSI escapes is the point
const ansiPattern = /\u001b\[[0-9;]*m/g;

/** Visible width of a string, ignoring ANSI colour codes. */
export function visibleLength(text: string): number {
  return text.replace(ansiPattern, '').length;
}
