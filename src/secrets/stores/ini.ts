/**
 * The INI store, as sops's (which uses go-ini v1): sections become mappings of strings, comments
 * above a key or section are kept, the metadata is a final `[sops]` section with flattened keys
 * and `\n`-escaped newlines, and output is go-ini's pretty format (aligned `=`, a blank line
 * between sections). The parser follows go-ini's rules, quirks included (inline `;`/`#` start a
 * comment that attaches to the next key, surrounding quotes are stripped, `\` continues a line).
 */
import { Comment, TreeBranch, type TreeBranches, type TreeItem, type TreeValue } from '../tree.js';
import { exampleSimpleTree, flatMetadataItems, metadataFromFlat, SOPS_KEY, valToString } from './common.js';
import { encodeJson } from './json.js';
import { MetadataNotFoundError, type EncryptedDocument, type Store } from './types.js';

const DEFAULT_SECTION = 'DEFAULT';

interface IniKey {
  name: string;
  value: string;
  comment: string;
}

interface IniSection {
  name: string;
  comment: string;
  keys: IniKey[];
}

const trimLeftSpace = (s: string): string => s.replace(/^\s+/, '');

function cleanComment(s: string): string | undefined {
  const i = s.search(/[#;]/);
  return i < 0 ? undefined : s.slice(i);
}

function hasSurroundedQuote(s: string, q: string): boolean {
  return s.length >= 2 && s[0] === q && s[s.length - 1] === q && s.indexOf(q, 1) === s.length - 1;
}

/** go-ini's parser with the options sops uses (AllowNonUniqueSections, everything else default). */
export function parseIni(text: string): IniSection[] {
  let src = text;
  if (src.startsWith('\uFEFF')) src = src.slice(1);
  // Lines keep their "\n", as go-ini's bufio reads them.
  const lines = src.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let li = 0;
  const next = (): string | undefined => lines[li++];
  const sections: IniSection[] = [{ name: DEFAULT_SECTION, comment: '', keys: [] }];
  let section: IniSection = sections[0] ?? { name: DEFAULT_SECTION, comment: '', keys: [] };
  let comment = '';

  const readValue = (raw: string): string => {
    let line = trimLeftSpace(raw);
    if (line.length === 0) return '';
    let quote = '';
    if (line.length > 3 && line.startsWith('"""')) quote = '"""';
    else if (line[0] === '`') quote = '`';
    if (quote !== '') {
      const start = quote.length;
      const pos = line.slice(start).lastIndexOf(quote);
      if (pos >= 0) return line.slice(start, start + pos);
      let val = line.slice(start);
      for (;;) {
        const nextLine = next();
        if (nextLine === undefined) throw new Error(`missing closing key quote from ${JSON.stringify(line)}`);
        const p = nextLine.lastIndexOf(quote);
        if (p >= 0) {
          val += nextLine.slice(0, p);
          const c = cleanComment(nextLine.slice(p));
          if (c !== undefined) comment += c.trim();
          return val;
        }
        val += nextLine;
      }
    }
    line = line.trim();
    if (line.endsWith('\\')) {
      let val = line.slice(0, -1);
      for (;;) {
        const nextLine = next();
        if (nextLine === undefined) break;
        const trimmed = nextLine.trim();
        if (trimmed.length === 0) break;
        val += trimmed;
        if (!val.endsWith('\\')) break;
        val = val.slice(0, -1);
      }
      return val;
    }
    const i = line.search(/[#;]/);
    if (i >= 0) {
      comment += line.slice(i);
      line = line.slice(0, i).trim();
    }
    if (hasSurroundedQuote(line, "'") || hasSurroundedQuote(line, '"')) line = line.slice(1, -1);
    return line;
  };

  for (let raw = next(); raw !== undefined; raw = next()) {
    const line = trimLeftSpace(raw);
    if (line.length === 0) continue;
    if (line[0] === '#' || line[0] === ';') {
      comment += line;
      continue;
    }
    if (line[0] === '[') {
      const close = line.lastIndexOf(']');
      if (close < 0) throw new Error(`unclosed section: ${line}`);
      const name = line.slice(1, close);
      if (name === '') throw new Error('empty section name');
      section = { name, comment: '', keys: [] };
      sections.push(section);
      const c = cleanComment(line.slice(close + 1));
      if (c !== undefined) comment += c;
      section.comment = comment.trim();
      comment = '';
      continue;
    }
    let keyName: string;
    let offset: number;
    const keyQuote = line.startsWith('"')
      ? line.length > 6 && line.startsWith('"""')
        ? '"""'
        : '"'
      : line[0] === '`'
        ? '`'
        : '';
    if (keyQuote !== '') {
      const start = keyQuote.length;
      let pos = line.slice(start).indexOf(keyQuote);
      if (pos < 0) throw new Error(`missing closing key quote: ${line}`);
      pos += start;
      const d = line.slice(pos + start).search(/[=:]/);
      if (d < 0) throw new Error(`key-value delimiter not found: ${line}`);
      keyName = line.slice(start, pos).trim();
      offset = pos + d + start + 1;
    } else {
      const end = line.search(/[=:]/);
      if (end < 0) throw new Error(`key-value delimiter not found: ${line}`);
      if (end === 0) throw new Error(`empty key name: ${line}`);
      keyName = line.slice(0, end).trim();
      offset = end + 1;
    }
    const value = readValue(line.slice(offset));
    let key = section.keys.find((k) => k.name === keyName);
    if (key === undefined) {
      key = { name: keyName, value, comment: '' };
      section.keys.push(key);
    } else {
      key.value = value;
    }
    key.comment = comment.trim();
    comment = '';
  }
  return sections;
}

/** sops strips one run of comment characters and spaces from the front. */
function stripCommentChar(c: string): string {
  if (c.startsWith(';')) return c.replace(/^[; ]+/, '');
  if (c.startsWith('#')) return c.replace(/^[# ]+/, '');
  return c;
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

function commentLines(comment: string, trimPlain: boolean): string {
  return comment
    .split('\n')
    .map((line) => {
      if (line[0] !== '#' && line[0] !== ';') return '; ' + (trimPlain ? line.trim() : line);
      return line[0] + ' ' + line.slice(1).trim();
    })
    .map((l) => l + '\n')
    .join('');
}

/** go-ini's writeToBuffer with PrettyFormat and PrettySection. */
function writeIni(sections: IniSection[]): string {
  let out = '';
  sections.forEach((sec, i) => {
    if (sec.comment.length > 0) out += commentLines(sec.comment, false);
    if (i > 0 || sec.name.toUpperCase() !== DEFAULT_SECTION) {
      out += `[${sec.name}]\n`;
    } else if (sec.keys.length === 0) {
      return;
    }
    const quoted = sec.keys.map((k) => {
      if (k.name.includes('"') || /[=:]/.test(k.name)) return '`' + k.name + '`';
      if (k.name.includes('`')) return '"""' + k.name + '"""';
      return k.name;
    });
    const align = Math.max(0, ...quoted.map(byteLength));
    sec.keys.forEach((k, j) => {
      if (k.comment.length > 0) out += commentLines(k.comment, true);
      const name = quoted[j] ?? k.name;
      let val = k.value;
      if (/[\n`]/.test(val)) val = '"""' + val + '"""';
      else if (/[#;]/.test(val)) val = '`' + val + '`';
      else if (val.trim().length !== val.length) val = '"' + val + '"';
      out += name + ' '.repeat(align - byteLength(name)) + ' = ' + val + '\n';
    });
    if (i !== sections.length - 1) out += '\n';
  });
  return out;
}

export class IniStore implements Store {
  readonly format = 'ini' as const;
  readonly singleValue = false;

  loadPlain(data: Buffer): TreeBranches {
    let sections: IniSection[];
    try {
      sections = parseIni(data.toString('utf8'));
    } catch (cause) {
      throw new Error(`Could not unmarshal input data: ${(cause as Error).message}`, { cause });
    }
    const items: TreeItem[] = sections.map((sec) => {
      const inner: TreeItem[] = [];
      if (sec.comment !== '') inner.push({ key: new Comment(stripCommentChar(sec.comment)), value: null });
      for (const key of sec.keys) {
        inner.push({ key: key.name, value: key.value });
        if (key.comment !== '') inner.push({ key: new Comment(stripCommentChar(key.comment)), value: null });
      }
      return { key: sec.name, value: new TreeBranch(inner) };
    });
    return [new TreeBranch(items)];
  }

  loadEncrypted(data: Buffer): EncryptedDocument {
    const [branch] = this.loadPlain(data) as [TreeBranch];
    const doc = { branches: [branch] };
    let meta: TreeBranch | undefined;
    branch.items = branch.items.filter((item) => {
      if (item.key !== SOPS_KEY) return true;
      if (meta !== undefined) throw new Error(`Found duplicate ${SOPS_KEY} entry`);
      meta = item.value as TreeBranch;
      return false;
    });
    if (meta === undefined) throw new MetadataNotFoundError();
    return { ...doc, metadata: metadataFromFlat(meta.items, true) };
  }

  emitPlain(branches: TreeBranches): Buffer {
    const sections: IniSection[] = [];
    for (const branch of branches) {
      for (const item of branch.items) {
        if (item.key instanceof Comment) continue;
        if (!(item.value instanceof TreeBranch)) {
          throw new Error('Error encoding section: Section values should always be TreeBranches');
        }
        const sec: IniSection = { name: item.key, comment: '', keys: [] };
        const inner = item.value.items;
        let first = 0;
        const head = inner[0];
        if (head !== undefined && head.key instanceof Comment) {
          sec.comment = head.key.value;
          first = 1;
        }
        let last: IniKey | undefined;
        for (const kv of inner.slice(first)) {
          if (kv.key instanceof Comment) {
            if (last !== undefined) last.comment = kv.key.value;
            continue;
          }
          // go-ini's NewKey: a repeated key overwrites the value in place.
          last = sec.keys.find((k) => k.name === kv.key);
          if (last === undefined) sec.keys.push((last = { name: kv.key, value: '', comment: '' }));
          last.value = valToString(kv.value);
        }
        sections.push(sec);
      }
    }
    return Buffer.from(writeIni(sections), 'utf8');
  }

  emitEncrypted(doc: EncryptedDocument): Buffer {
    const branch = doc.branches[0] ?? new TreeBranch();
    for (const item of branch.items) {
      if (item.key === SOPS_KEY) {
        throw new Error(
          `Found key "${SOPS_KEY}" in encrypted data, which is a reserved key used for SOPS metadata`,
        );
      }
    }
    const md = new TreeBranch(flatMetadataItems(doc.metadata, '', true));
    return this.emitPlain([new TreeBranch([...branch.items, { key: SOPS_KEY, value: md }])]);
  }

  emitValue(value: TreeValue): Buffer {
    return Buffer.from(encodeJson(value, ''), 'utf8');
  }

  hasSopsTopLevelKey(branch: TreeBranch): boolean {
    return branch.items.some((it) => it.key === SOPS_KEY);
  }

  emitExample(): Buffer {
    return this.emitPlain(exampleSimpleTree());
  }
}
