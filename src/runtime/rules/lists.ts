/**
 * Lists, resolved the way Falco does it: a list item naming a list defined earlier is replaced by
 * that list's items, and list names in conditions are replaced *textually* (not in the syntax tree)
 * by their items joined with ", " — items with a space get double quotes, and an empty list also
 * swallows a neighbouring comma. Edits are recorded so error positions map back to what was written.
 */
import type { ListInfo } from './model.js';

export interface ResolvedList {
  name: string;
  items: string[];
  used: boolean;
  /** The items as they replace the list name in conditions. */
  replacement: string;
}

/** Falco's compile_list_infos: inline lists that were visible when each list was last defined. */
export function resolveLists(lists: ReadonlyMap<string, ListInfo>): Map<string, ResolvedList> {
  const resolved = new Map<string, ResolvedList>();
  const usedByLists = new Set<string>();
  for (const list of lists.values()) {
    const items: string[] = [];
    for (const item of list.items) {
      const ref = lists.get(item);
      if (ref !== undefined && ref.index < list.visibility) {
        usedByLists.add(ref.name);
        items.push(...ref.items);
      } else {
        items.push(item);
      }
    }
    resolved.set(list.name, {
      name: list.name,
      items,
      used: false,
      replacement: items.map(quoteItem).join(', '),
    });
  }
  for (const name of usedByLists) (resolved.get(name) as ResolvedList).used = true;
  return resolved;
}

function quoteItem(item: string): string {
  return item.includes(' ') && item[0] !== '"' && item[0] !== "'" ? `"${item}"` : item;
}

interface Edit {
  start: number;
  oldLength: number;
  newLength: number;
}

export interface ExpandedText {
  text: string;
  /** The lists that were substituted. */
  lists: string[];
  /** Maps an offset in the expanded text back to the text before expansion. */
  toOriginal(offset: number): number;
}

const blanks = ' \t\n\r';
const delimiters = `${blanks}(),=`;

/** One list substitution pass (Falco's resolve_list), recording its edits. */
function substitute(text: string, list: ResolvedList, edits: Edit[]): string {
  let condition = text;
  let start = condition.indexOf(list.name);
  while (start !== -1) {
    let end = start + list.name.length;
    const before = start === 0 || delimiters.includes(condition[start - 1] as string);
    const after = end >= condition.length || delimiters.includes(condition[end] as string);
    if (before && after) {
      while (start > 0 && blanks.includes(condition[start - 1] as string)) start--;
      while (end < condition.length && blanks.includes(condition[end] as string)) end++;
      const replacement = list.replacement;
      if (replacement === '') {
        if (start > 0 && condition[start - 1] === ',') start--;
        else if (end < condition.length && condition[end] === ',') end++;
      }
      const prefix = start > 0 ? `${condition.slice(0, start)} ` : '';
      const next = `${prefix}${replacement} ${condition.slice(end)}`;
      edits.push({
        start,
        oldLength: end - start,
        newLength: next.length - (condition.length - (end - start)),
      });
      condition = next;
      start += replacement.length + 1;
      list.used = true;
    }
    start = condition.indexOf(list.name, start + 1);
  }
  return condition;
}

const tokenSplitter = /[ \t\n\r(),=]+/;

/** Expands every list name in a condition, in list definition order. */
export function expandLists(text: string, lists: ReadonlyMap<string, ResolvedList>): ExpandedText {
  const passes: Edit[][] = [];
  const used: string[] = [];
  let condition = text;
  // A list name only counts between delimiters, i.e. as a whole token; checking the tokens first
  // avoids scanning the condition once per list.
  const tokens = new Set(text.split(tokenSplitter));
  for (const list of lists.values()) {
    const present = tokenSplitter.test(list.name) ? condition.includes(list.name) : tokens.has(list.name);
    if (!present) continue;
    const edits: Edit[] = [];
    condition = substitute(condition, list, edits);
    if (edits.length > 0) {
      passes.push(edits);
      used.push(list.name);
      for (const token of list.replacement.split(tokenSplitter)) tokens.add(token);
    }
  }
  return {
    text: condition,
    lists: used,
    toOriginal(offset) {
      let position = offset;
      for (let p = passes.length - 1; p >= 0; p--) {
        // Edits of one pass are applied left to right, each on the result of the previous one.
        const edits = passes[p] as Edit[];
        for (let e = edits.length - 1; e >= 0; e--) {
          const edit = edits[e] as Edit;
          if (position >= edit.start + edit.newLength) position -= edit.newLength - edit.oldLength;
          else if (position >= edit.start) position = edit.start;
        }
      }
      return position;
    },
  };
}
