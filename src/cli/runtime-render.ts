/** Human renderings for `chartroom runtime …` (JSON output is the plain result objects). */
import type { Output } from '../core/output/index.js';
import type {
  CaseOutcome,
  FieldInfo,
  RuleCount,
  RuleExplanation,
  RulesWarning,
  SourceLocation,
  StoredAlert,
} from '../runtime/index.js';

const snippetWidth = 120;

/** Control characters (a binary file, escape sequences) as `?` and tabs as one space, one for one. */
function printable(text: string): string {
  let shown = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    shown += char === '\t' ? ' ' : code < 0x20 || (code >= 0x7f && code < 0xa0) ? '?' : char;
  }
  return shown;
}

/**
 * The source line of an error and a caret under its column. A long line is cut around the column
 * and control characters are replaced, so a snippet of a binary file can neither flood nor garble
 * the terminal.
 */
export function snippetFor(text: string, location: SourceLocation): string[] {
  const line = text.split(/\r?\n/)[location.line - 1];
  if (line === undefined) return [];
  const col = Math.max(0, location.col - 1);
  const start =
    line.length > snippetWidth
      ? Math.max(0, Math.min(col - snippetWidth / 2, line.length - snippetWidth))
      : 0;
  const cut = line.slice(start, start + snippetWidth);
  const before = start > 0 ? '…' : '';
  const after = start + snippetWidth < line.length ? '…' : '';
  const prefix = `${String(location.line).padStart(5)} | `;
  return [
    `${prefix}${before}${printable(cut)}${after}`,
    `${' '.repeat(prefix.length + before.length + col - start)}^`,
  ];
}

function warningLine(w: RulesWarning): string {
  return `${w.location.file}:${w.location.line}:${w.location.col}: ${w.item === undefined ? '' : `${w.item}: `}${w.message} [${w.code}]`;
}

export function renderValidation(
  value: {
    files: string[];
    rules: { source: string; enabled: boolean }[];
    macros: number;
    lists: number;
    requiredEngineVersion: string | null;
    engineVersion: string;
  },
  warnings: readonly RulesWarning[],
  out: Output,
  quiet: boolean,
): void {
  const bySource = new Map<string, number>();
  for (const rule of value.rules) bySource.set(rule.source, (bySource.get(rule.source) ?? 0) + 1);
  const sources = [...bySource].map(([source, n]) => `${source} ${n}`).join(', ');
  const enabled = value.rules.filter((r) => r.enabled).length;
  out.line(
    `${out.paint('green', 'valid')}: ${value.files.length} file${value.files.length === 1 ? '' : 's'}, ${value.rules.length} rules (${enabled} enabled${sources === '' ? '' : `; ${sources}`}), ${value.macros} macros, ${value.lists} lists`,
  );
  if (value.requiredEngineVersion !== null)
    out.line(`requires engine ${value.requiredEngineVersion} (this engine: ${value.engineVersion})`);
  if (warnings.length === 0) return;
  if (quiet) {
    out.line(
      `${warnings.length} warning${warnings.length === 1 ? '' : 's'} (run without --quiet to list them)`,
    );
    return;
  }
  for (const warning of warnings) out.warn(warningLine(warning));
}

export function renderExplanation(value: RuleExplanation, indexFields: readonly string[], out: Output): void {
  out.line(
    `${out.paint('bold', value.name)}  (${value.source}, ${value.priority}, ${value.enabled ? 'enabled' : 'disabled'})  ${out.paint('dim', value.location)}`,
  );
  out.line(`  ${value.description.trim()}`);
  if (value.tags.length > 0) out.line(`tags:    ${value.tags.join(', ')}`);
  out.line(`output:  ${value.output}`);
  out.line();
  out.line('condition as written:');
  for (const line of value.condition.split('\n')) out.line(`  ${line}`);
  out.line();
  out.line('condition expanded (lists, macros, exceptions):');
  for (const line of value.layout.split('\n')) out.line(`  ${line}`);
  out.line();
  if (value.macros.length > 0) out.line(`macros:  ${value.macros.join(', ')}`);
  if (value.lists.length > 0) out.line(`lists:   ${value.lists.join(', ')}`);
  out.line(`fields:  ${value.fields.join(', ')}`);
  if (value.exceptionFields.length > 0) out.line(`exception fields: ${value.exceptionFields.join(', ')}`);
  const requires = Object.entries(value.requires);
  if (requires.length > 0) {
    out.line(
      `only evaluated when: ${requires
        .map(
          ([field, values]) =>
            `${field} ∈ {${values.join(', ')}}${indexFields.includes(field) ? ' (indexed)' : ''}`,
        )
        .join('; ')}`,
    );
  }
}

export function renderFields(fields: readonly FieldInfo[], out: Output): void {
  out.table(fields, [
    { header: 'field', value: (f) => f.name },
    { header: 'type', value: (f) => `${f.type}${f.list ? ' list' : ''}` },
    {
      header: 'arg',
      value: (f) =>
        f.arg === undefined
          ? ''
          : `${f.arg.required ? 'required' : 'optional'} ${f.arg.index ? (f.arg.key ? 'index/key' : 'index') : 'key'}`,
    },
    { header: 'description', value: (f) => f.description },
  ]);
}

export function renderOutcomes(
  results: readonly { file: string; cases: readonly CaseOutcome[] }[],
  out: Output,
): void {
  let passed = 0;
  let failed = 0;
  for (const { file, cases } of results) {
    out.line(out.paint('bold', file));
    for (const outcome of cases) {
      if (outcome.passed) {
        passed++;
        const counts = Object.entries(outcome.counts).map(([rule, n]) => `${rule} ×${n}`);
        out.line(
          `  ${out.paint('green', '✓')} ${outcome.name}${counts.length === 0 ? ' (no alerts)' : `: ${counts.join(', ')}`}`,
        );
        continue;
      }
      failed++;
      out.line(`  ${out.paint('red', '✗')} ${outcome.name}`);
      for (const problem of outcome.problems) out.line(`      ${problem}`);
    }
  }
  out.line(`${passed + failed} case${passed + failed === 1 ? '' : 's'}: ${passed} passed, ${failed} failed`);
}

export function renderCounts(
  rows: readonly (Pick<RuleCount, 'rule' | 'count'> & Partial<RuleCount>)[],
  out: Output,
): void {
  if (rows.length === 0) {
    out.line('no alerts');
    return;
  }
  out.table(rows, [
    { header: 'count', value: (r) => r.count, align: 'right' },
    { header: 'rule', value: (r) => r.rule },
    ...(rows[0]?.priority === undefined
      ? []
      : [
          { header: 'priority', value: (r: Partial<RuleCount>) => r.priority },
          { header: 'source', value: (r: Partial<RuleCount>) => r.source },
          { header: 'last', value: (r: Partial<RuleCount>) => r.last },
        ]),
  ]);
}

export function renderAlertRows(rows: readonly StoredAlert[], out: Output): void {
  if (rows.length === 0) {
    out.line('no alerts');
    return;
  }
  for (const row of rows)
    out.line(
      `${row.output}  ${out.paint('dim', `[${row.origin === 'falco' ? `falco@${row.hostname}` : 'chartroom'}]`)}`,
    );
}
