/** The output layer: results, tables, progress and error reports. See output.ts. */
export { Output, type OutputMode, type OutputOptions } from './output.js';
export { Progress, type ProgressUpdate } from './progress.js';
export type { Column } from './table.js';
export { shouldUseColor, type TerminalStream } from './terminal.js';
