/**
 * The JSON store, as sops's stores/json: key order and duplicate keys kept, integers that fit in
 * int64 typed `int` (sops ≥ 3.13.2), other numbers `float`; written with Go's encoding/json
 * escaping (`<>&` as \u003c…) and `json.Indent` (a tab by default), plus a final newline.
 */
import { Comment, TreeBranch, type TreeBranches, type TreeItem, type TreeValue } from '../tree.js';
import { GoTime } from '../gotime.js';
import { formatJsonFloat, parseGoFloat, parseGoIntBase } from '../gofmt.js';
import {
  appendMetadata,
  exampleComplexTree,
  extractNested,
  nestedMetadataItems,
  SOPS_KEY,
} from './common.js';
import type { EncryptedDocument, Store, StoreOptions } from './types.js';

class JsonParser {
  private i = 0;
  constructor(private readonly s: string) {}

  fail(message: string): never {
    throw new Error(message);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
  }

  /** The top level must be an object; anything after it is ignored, as Go's decoder does. */
  document(): TreeBranch {
    this.ws();
    if (this.i >= this.s.length) this.fail('EOF');
    const c = this.s[this.i];
    if (c !== '{') {
      if (c === '[') {
        this.fail(
          'SOPS only supports JSON files with a top-level object (starting with \'{\'), not arrays or other types. Got delimiter [ instead. To encrypt this file, wrap it in an object, e.g., {"data": [...]}',
        );
      }
      const v = this.value();
      this.fail(
        `SOPS only supports JSON files with a top-level object (starting with '{'), not other JSON types. Got ${JSON.stringify(v)} instead`,
      );
    }
    return this.object();
  }

  private value(): TreeValue {
    this.ws();
    const c = this.s[this.i];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('unexpected EOF');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        this.fail(`invalid character '${c}' looking for beginning of value`);
    }
  }

  private literal<T>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.i))
      this.fail(`invalid character '${this.s[this.i]}' looking for beginning of value`);
    this.i += word.length;
    return v;
  }

  private number(): bigint | number {
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail(`invalid character '${this.s[this.i + 1] ?? ''}' in numeric literal`);
    this.i += m[0].length;
    const text = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      const v = parseGoIntBase(text, 10);
      if (v !== undefined) return v;
    }
    const f = parseGoFloat(text);
    if (f === undefined) this.fail(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`);
    return f;
  }

  private string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= s.length) this.fail('unexpected EOF');
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('invalid character in string literal');
      if (c === 0x5c) {
        out += s.slice(start, i);
        const e = s[i + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e !== undefined && e in simple) {
          out += simple[e] ?? '';
          i += 2;
        } else if (e === 'u') {
          const hex = s.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex))
            this.fail('invalid character in \\u hexadecimal character escape');
          let code = parseInt(hex, 16);
          i += 6;
          if (code >= 0xd800 && code < 0xdc00) {
            const next = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(s.slice(i, i + 6));
            if (next) {
              code = 0x10000 + ((code - 0xd800) << 10) + (parseInt(next[1] ?? 'dc00', 16) - 0xdc00);
              i += 6;
            } else {
              code = 0xfffd;
            }
          } else if (code >= 0xdc00 && code < 0xe000) {
            code = 0xfffd;
          }
          out += String.fromCodePoint(code);
        } else {
          this.fail('invalid character in string escape code');
        }
        start = i;
        continue;
      }
      i++;
    }
    out += s.slice(start, i);
    this.i = i + 1;
    return out;
  }

  private expect(ch: string, context: string): void {
    this.ws();
    if (this.s[this.i] !== ch) {
      if (this.i >= this.s.length) this.fail('unexpected EOF');
      this.fail(`invalid character '${this.s[this.i]}' ${context}`);
    }
    this.i++;
  }

  private object(): TreeBranch {
    this.i++;
    const items: TreeItem[] = [];
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return new TreeBranch(items);
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') {
        if (this.i >= this.s.length) this.fail('unexpected EOF');
        this.fail(`invalid character '${this.s[this.i]}' looking for beginning of object key string`);
      }
      const key = this.string();
      this.expect(':', 'after object key');
      items.push({ key, value: this.value() });
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      this.expect('}', 'after object key:value pair');
      return new TreeBranch(items);
    }
  }

  private array(): TreeValue[] {
    this.i++;
    const out: TreeValue[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      this.expect(']', 'after array element');
      return out;
    }
  }
}

export function parseJsonObject(text: string): TreeBranch {
  return new JsonParser(text).document();
}

/** Go's json.Marshal for a string (HTML-safe, U+2028/2029 escaped). */
export function goJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (
      c < 0x20 ||
      c === 0x22 ||
      c === 0x5c ||
      c === 0x3c ||
      c === 0x3e ||
      c === 0x26 ||
      c === 0x2028 ||
      c === 0x2029
    ) {
      switch (c) {
        case 0x22:
          esc = '\\"';
          break;
        case 0x5c:
          esc = '\\\\';
          break;
        case 0x0a:
          esc = '\\n';
          break;
        case 0x0d:
          esc = '\\r';
          break;
        case 0x09:
          esc = '\\t';
          break;
        case 0x08:
          esc = '\\b';
          break;
        case 0x0c:
          esc = '\\f';
          break;
        default:
          esc = '\\u' + c.toString(16).padStart(4, '0');
      }
    } else if (c >= 0xd800 && c < 0xe000) {
      const next = s.charCodeAt(i + 1);
      if (c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** One value as Go's json.Marshal writes it (after sops's own map/array encoding). */
function encodeScalar(v: TreeValue): string {
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatJsonFloat(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null) return 'null';
  if (v instanceof GoTime) return `"${v.text}"`;
  if (v instanceof Uint8Array) return goJsonString(Buffer.from(v).toString('utf8'));
  if (v instanceof Comment) return `{"Value":${goJsonString(v.value)},"Inline":${v.inline}}`;
  throw new Error('unexpected value');
}

/** sops's encodeValue + json.Indent: indented output with `indent` per level. */
export function encodeJson(v: TreeValue, indent: string, level = 0): string {
  const pad = (n: number): string => '\n' + indent.repeat(n);
  if (v instanceof TreeBranch) {
    const entries = v.items.filter((it): it is TreeItem & { key: string } => typeof it.key === 'string');
    if (entries.length === 0) return '{}';
    const parts = entries.map(
      (it) => `${pad(level + 1)}${goJsonString(it.key)}: ${encodeJson(it.value, indent, level + 1)}`,
    );
    return `{${parts.join(',')}${pad(level)}}`;
  }
  if (Array.isArray(v)) {
    const items = v.filter((x) => !(x instanceof Comment));
    if (items.length === 0) return '[]';
    return `[${items.map((x) => pad(level + 1) + encodeJson(x, indent, level + 1)).join(',')}${pad(level)}]`;
  }
  return encodeScalar(v);
}

function indentString(indent: number | undefined): string {
  if (indent === undefined || indent === -1) return '\t';
  if (indent < -1) throw new Error('JSON Indentation parameter smaller than -1 is not accepted');
  return ' '.repeat(indent);
}

export class JsonStore implements Store {
  readonly format = 'json' as const;
  readonly singleValue = false;
  private readonly indentOption: number | undefined;

  constructor(options: StoreOptions = {}) {
    this.indentOption = options.indent;
  }

  /** A bad --indent fails where sops fails, when the tree is dumped (exit 4), not as a crash. */
  private get indent(): string {
    return indentString(this.indentOption);
  }

  loadPlain(data: Buffer): TreeBranches {
    try {
      return [parseJsonObject(data.toString('utf8'))];
    } catch (cause) {
      throw new Error(`Could not unmarshal input data: ${(cause as Error).message}`, { cause });
    }
  }

  loadEncrypted(data: Buffer): EncryptedDocument {
    return extractNested(this.loadPlain(data));
  }

  emitPlain(branches: TreeBranches): Buffer {
    return Buffer.from(encodeJson(branches[0] ?? new TreeBranch(), this.indent) + '\n', 'utf8');
  }

  emitEncrypted(doc: EncryptedDocument): Buffer {
    return this.emitPlain(appendMetadata(doc, (k) => k === SOPS_KEY, nestedMetadataItems(doc.metadata)));
  }

  emitValue(value: TreeValue): Buffer {
    return Buffer.from(encodeJson(value, this.indent), 'utf8');
  }

  hasSopsTopLevelKey(branch: TreeBranch): boolean {
    return branch.items.some((it) => it.key === SOPS_KEY);
  }

  emitExample(): Buffer {
    return this.emitPlain(exampleComplexTree());
  }
}
