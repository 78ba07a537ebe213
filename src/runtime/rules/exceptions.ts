/**
 * Rule exceptions become part of the condition text, as in Falco's build_rule_exception_infos:
 * `(<condition>) and not ((f1 c1 v1 and f2 c2 v2) or (…))` for tuple exceptions and
 * `and not (f in (v1, v2))` for single-field ones. Values with a space are double-quoted and a
 * single value given to a list operator is wrapped in parentheses.
 */
import { listOperators } from '../parser/parser.js';
import { isOperatorWithModifier } from './collector.js';
import { RulesLoadError } from './diagnostics.js';
import { MappedText } from './mapped-text.js';
import type { ExceptionEntry, ExceptionInfo } from './model.js';

function quoteItem(item: string): string {
  return item.includes(' ') && item[0] !== '"' && item[0] !== "'" ? `"${item}"` : item;
}

function isListOperator(op: string): boolean {
  return (listOperators as readonly string[]).includes(op) || isOperatorWithModifier(op);
}

function scalar(entry: ExceptionEntry | undefined): string {
  return entry === undefined || entry.list ? '' : entry.item;
}

/** Appends the exception clauses to a rule condition; also returns the fields the exceptions use. */
export function withExceptions(
  condition: MappedText,
  exceptions: readonly ExceptionInfo[],
  label: string,
): { condition: MappedText; fields: Set<string> } {
  const fields = new Set<string>();
  const parts: (string | MappedText)[] = ['(', condition, ')'];
  for (const ex of exceptions) {
    let clause = '';
    const exFields = ex.fields as ExceptionEntry;
    if (!exFields.list) {
      for (const value of ex.values) {
        if (value.list)
          throw new RulesLoadError(
            'validate',
            'Expected values array to contain a list of strings',
            ex.location,
            label,
          );
        clause += clause === '' ? `(${exFields.item} ${scalar(ex.comps)} (` : ', ';
        fields.add(exFields.item);
        clause += quoteItem(value.item);
      }
      if (clause !== '') clause += '))';
    } else {
      const comps = ex.comps?.list === true ? ex.comps.items : [];
      clause = '(';
      for (const tuple of ex.values) {
        const items = tuple.list ? tuple.items : [];
        if (!tuple.list || items.length !== exFields.items.length) {
          throw new RulesLoadError(
            'validate',
            'Fields and values lists must have equal length',
            ex.location,
            label,
          );
        }
        clause += clause === '(' ? '(' : ' or (';
        exFields.items.forEach((field, k) => {
          const value = items[k] as ExceptionEntry;
          const comp = scalar(comps[k]);
          let text: string;
          if (value.list) {
            text = `(${value.items.map((v) => quoteItem(scalar(v))).join(', ')})`;
          } else if (isListOperator(comp)) {
            text = value.item.startsWith('(') ? value.item : `(${value.item})`;
          } else {
            text = quoteItem(value.item);
          }
          clause += `${k === 0 ? '' : ' and '} ${scalar(field)} ${comp} ${text}`;
          fields.add(scalar(field));
        });
        clause += ')';
      }
      clause += ')';
      if (clause === '()') clause = '';
    }
    if (clause !== '') parts.push(' and not ', MappedText.at(clause, ex.location));
  }
  return { condition: MappedText.concat(parts), fields };
}
