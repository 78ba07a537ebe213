import { visibleLength, type Painter } from './terminal.js';

export interface Column<Row> {
  header: string;
  value: (row: Row) => string | number | boolean | undefined | null;
  align?: 'left' | 'right';
}

function cell(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  return String(value);
}

/**
 * A human table: a bold header, columns padded to their widest cell. Used on a TTY.
 */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  paint: Painter,
): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(visibleLength(column.header), ...cells.map((line) => visibleLength(line[index] ?? ''))),
  );
  const pad = (text: string, index: number): string => {
    const width = widths[index] ?? 0;
    const fill = ' '.repeat(Math.max(0, width - visibleLength(text)));
    return columns[index]?.align === 'right' ? fill + text : text + fill;
  };
  const header = columns.map((column, index) => paint('bold', pad(column.header.toUpperCase(), index)));
  const lines = [header, ...cells.map((line) => line.map(pad))].map((parts) => parts.join('  ').trimEnd());
  return lines.join('\n') + '\n';
}

/**
 * Plain lines for pipes and CI logs: a header line, then one tab-separated line per row, so that
 * `cut -f` and `awk -F'\t'` work.
 */
export function renderPlainRows<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const clean = (text: string): string => text.replace(/[\t\n]/g, ' ');
  const lines = [
    columns.map((column) => column.header.toLowerCase()).join('\t'),
    ...rows.map((row) => columns.map((column) => clean(cell(column.value(row)))).join('\t')),
  ];
  return lines.join('\n') + '\n';
}
