/**
 * Typed, located access to the items of a rules file. Decoding follows Falco's rule reader
 * (yaml-cpp based): the same checks in the same order and the same messages ("Item has no mapping
 * for key 'condition'", "Value must be non-empty", …), each with the position of the offending node.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { RulesLoadError, type SourceLocation } from './diagnostics.js';
import { MappedText, scalarLocator } from './mapped-text.js';

type AnyNode = Node | null | undefined;

export class YamlFile {
  private readonly lines = new LineCounter();
  readonly documents: AnyNode[];

  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    const docs = parseAllDocuments(text, { lineCounter: this.lines, uniqueKeys: false, prettyErrors: false });
    const list = Array.isArray(docs) ? docs : [];
    for (const doc of list) {
      const error = doc.errors[0];
      if (error !== undefined) {
        throw new RulesLoadError(
          'yaml-parse',
          error.message.split('\n')[0] ?? error.message,
          this.at(error.pos[0]),
        );
      }
    }
    this.documents = list.map((doc) => doc.contents as AnyNode);
  }

  at(offset: number): SourceLocation {
    const pos = this.lines.linePos(offset);
    return { file: this.name, line: pos.line, col: pos.col };
  }

  locationOf(node: AnyNode, fallback: SourceLocation): SourceLocation {
    return node?.range === undefined || node.range === null ? fallback : this.at(node.range[0]);
  }

  /** The scalar's text with every character mapped back to the file. */
  mappedScalar(node: Scalar, text: string): MappedText {
    const range = node.range;
    if (range === undefined || range === null) return MappedText.at(text, this.at(0));
    return MappedText.of(
      text,
      scalarLocator(this.text, range, text, node.type, (offset) => this.lines.linePos(offset), this.name),
    );
  }
}

export function isNullNode(node: AnyNode): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** The text of a scalar as written (plain `0x10` stays "0x10", `yes` stays "yes"). */
export function scalarText(node: Scalar): string {
  if (typeof node.value === 'string') return node.value;
  if (typeof node.source === 'string') return node.source;
  return String(node.value);
}

const trueWords = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const falseWords = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

/** One `- list:`/`- macro:`/`- rule:` mapping, with Falco's decoding helpers. */
export class YamlItem {
  readonly location: SourceLocation;

  constructor(
    readonly file: YamlFile,
    readonly node: YAMLMap,
    /** Used in messages: `rule 'X'`. */
    public label?: string,
  ) {
    this.location = file.locationOf(node, file.at(0));
  }

  private pair(key: string): Pair | undefined {
    for (const item of this.node.items) {
      if (isPair(item) && isScalar(item.key) && scalarText(item.key) === key) return item;
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.pair(key) !== undefined;
  }

  get(key: string): AnyNode {
    return this.pair(key)?.value as AnyNode;
  }

  keys(): string[] {
    return this.node.items.flatMap((item) =>
      isPair(item) && isScalar(item.key) ? [scalarText(item.key)] : [],
    );
  }

  keyLocation(key: string): SourceLocation {
    return this.file.locationOf(this.pair(key)?.key as AnyNode, this.location);
  }

  valueLocation(key: string): SourceLocation {
    return this.file.locationOf(this.get(key), this.keyLocation(key));
  }

  fail(
    message: string,
    location: SourceLocation = this.location,
    errorClass: 'yaml-validate' | 'validate' = 'yaml-validate',
  ): never {
    throw new RulesLoadError(errorClass, message, location, this.label);
  }

  /** Falco's decode_val: required unless `optional`; empty allowed only when `canBeEmpty`. */
  string(key: string, options: { optional?: boolean; canBeEmpty?: boolean } = {}): string | undefined {
    return this.scalar(key, options)?.text;
  }

  /** Like `string`, keeping the mapping from characters to file positions. */
  mapped(key: string, options: { optional?: boolean } = {}): MappedText | undefined {
    const found = this.scalar(key, options);
    return found === undefined ? undefined : this.file.mappedScalar(found.node, found.text);
  }

  private scalar(
    key: string,
    options: { optional?: boolean; canBeEmpty?: boolean },
  ): { text: string; node: Scalar } | undefined {
    if (!this.has(key)) {
      if (options.optional === true) return undefined;
      this.fail(`Item has no mapping for key '${key}'`);
    }
    const node = this.get(key);
    if (isNullNode(node)) {
      if (options.canBeEmpty === true) return undefined;
      this.fail(`Mapping for key '${key}' is empty`, this.keyLocation(key));
    }
    if (!isScalar(node)) this.fail('Value is not a scalar value', this.valueLocation(key));
    const text = scalarText(node);
    if (text === '') {
      if (options.canBeEmpty === true) return undefined;
      this.fail('Value must be non-empty', this.valueLocation(key));
    }
    return { text, node };
  }

  bool(key: string, options: { optional?: boolean } = {}): boolean | undefined {
    const text = this.string(key, options);
    if (text === undefined) return undefined;
    if (trueWords.has(text)) return true;
    if (falseWords.has(text)) return false;
    return this.fail("Can't decode YAML scalar value", this.valueLocation(key));
  }

  unsigned(key: string, options: { optional?: boolean } = {}): number | undefined {
    const text = this.string(key, options);
    if (text === undefined) return undefined;
    if (!/^\+?[0-9]+$/.test(text.trim()) || Number(text) > 0xffffffff) {
      return this.fail("Can't decode YAML scalar value", this.valueLocation(key));
    }
    return Number(text);
  }

  /** A sequence of scalars (`items`, `tags`). */
  strings(key: string, options: { optional?: boolean } = {}): string[] | undefined {
    if (!this.has(key)) {
      if (options.optional === true) return undefined;
      this.fail(`Item has no mapping for key '${key}'`);
    }
    const node = this.get(key);
    if (!isSeq(node)) return this.fail('Value is not a sequence', this.valueLocation(key));
    return node.items.map((item) => {
      if (!isScalar(item))
        this.fail(
          'sequence value is not scalar',
          this.file.locationOf(item as AnyNode, this.valueLocation(key)),
        );
      return scalarText(item);
    });
  }

  /** The `override:` mapping as key → operation, with the location of each key. */
  overrides(): { key: string; operation: string; location: SourceLocation }[] {
    const node = this.get('override');
    if (node === undefined) return [];
    if (!isMap(node)) return this.fail('Value of override must be a mapping', this.valueLocation('override'));
    return node.items.flatMap((pair) => {
      if (!isPair(pair) || !isScalar(pair.key)) return [];
      const value = pair.value as AnyNode;
      const operation = isScalar(value) ? scalarText(value) : '';
      return [
        {
          key: scalarText(pair.key),
          operation,
          location: this.file.locationOf(pair.key, this.location),
        },
      ];
    });
  }
}

/** Parsed files by name and content: the same rules files are loaded again and again in tests. */
const parsedFiles = new Map<string, YamlFile>();

export function parseYamlFile(name: string, text: string): YamlFile {
  const key = `${name}\u0000${text}`;
  let file = parsedFiles.get(key);
  if (file === undefined) {
    file = new YamlFile(name, text);
    if (parsedFiles.size >= 32) parsedFiles.delete(parsedFiles.keys().next().value as string);
    parsedFiles.set(key, file);
  }
  return file;
}

/** Reads the documents of a file into its items; null items are skipped, as Falco does. */
export function readItems(file: YamlFile): YamlItem[] {
  const items: YamlItem[] = [];
  for (const doc of file.documents) {
    if (isNullNode(doc)) continue;
    const location = file.locationOf(doc, file.at(0));
    if (!isSeq(doc)) {
      throw new RulesLoadError(
        'yaml-validate',
        isMap(doc) ? 'Rules content is not yaml array of objects' : 'Rules content is not yaml',
        location,
      );
    }
    for (const entry of doc.items) {
      if (isNullNode(entry as AnyNode)) continue;
      if (!isMap(entry)) {
        throw new RulesLoadError(
          'yaml-validate',
          'Unexpected element type. Each element should be a yaml associative array.',
          file.locationOf(entry as AnyNode, location),
        );
      }
      items.push(new YamlItem(file, entry));
    }
  }
  return items;
}
