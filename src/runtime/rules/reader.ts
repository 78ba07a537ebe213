/**
 * Reads one rules file into the collector, item by item, with the semantics of Falco's
 * rule_loader::reader: which keys each item takes, `append: true` (deprecated) versus
 * `override: {key: append|replace}`, standalone `enabled`, exceptions, and version requirements.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Collector } from './collector.js';
import { describeItem, type SourceLocation } from './diagnostics.js';
import type { MappedText } from './mapped-text.js';
import type { ExceptionEntry, ExceptionInfo, PluginRequirement, RuleUpdate } from './model.js';
import { parsePriority, type Priority } from './priority.js';
import { parseVersion } from './versions.js';
import { isNullNode, parseYamlFile, readItems, scalarText, YamlItem } from './yaml-items.js';

const appendDeprecated =
  "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
const enabledDeprecated =
  "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
const overrideWithAppend =
  "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";

const ruleAppendable = new Set(['condition', 'output', 'desc', 'tags', 'exceptions']);
const ruleReplaceable = new Set([
  'condition',
  'output',
  'desc',
  'priority',
  'capture',
  'capture_duration',
  'tags',
  'exceptions',
  'enabled',
  'warn_evttypes',
  'skip-if-unknown-filter',
]);
const ruleKeys = new Set([...ruleReplaceable, 'rule', 'source', 'override', 'append']);

export function readRulesFile(collector: Collector, name: string, text: string): void {
  const file = parseYamlFile(name, text);
  for (const item of readItems(file)) readItem(collector, item);
}

function warnUnknownKeys(collector: Collector, item: YamlItem, expected: ReadonlySet<string>): void {
  const seen = new Set<string>();
  for (const key of item.keys()) {
    if (seen.has(key)) {
      collector.warn(
        'duplicate-key',
        `Duplicate key '${key}'; the first one is used.`,
        item.keyLocation(key),
        item.label,
      );
    }
    seen.add(key);
    if (!expected.has(key)) {
      collector.warn(
        'unknown-key',
        `Unknown key '${key}'. The key will be ignored.`,
        item.keyLocation(key),
        item.label,
      );
    }
  }
}

function readItem(collector: Collector, item: YamlItem): void {
  if (item.has('required_engine_version')) readEngineVersion(collector, item);
  else if (item.has('required_plugin_versions')) readPluginVersions(collector, item);
  else if (item.has('list')) readList(collector, item);
  else if (item.has('macro')) readMacro(collector, item);
  else if (item.has('rule')) readRule(collector, item);
  else collector.warn('unknown-item', 'Unknown top level item', item.location);
}

function readEngineVersion(collector: Collector, item: YamlItem): void {
  item.label = 'required_engine_version';
  const text = item.string('required_engine_version') as string;
  // An integer N is the old notation for 0.N.0.
  const version = /^\+?[0-9]+$/.test(text) ? { major: 0, minor: Number(text), patch: 0 } : parseVersion(text);
  if (version === undefined) {
    item.fail(`Unable to parse engine version '${text}' as a semver string. Expected "x.y.z" semver format.`);
  }
  collector.defineEngineVersion(version, item.location);
  warnUnknownKeys(collector, item, new Set(['required_engine_version']));
}

function readPluginVersions(collector: Collector, item: YamlItem): void {
  item.label = 'required_plugin_versions';
  const node = item.get('required_plugin_versions');
  const location = item.valueLocation('required_plugin_versions');
  if (!isSeq(node)) return item.fail('Value of required_plugin_versions must be a sequence', location);
  for (const entry of node.items) {
    const entryLocation = item.file.locationOf(entry as Node, location);
    if (!isMap(entry)) item.fail('Plugin version must be a mapping', entryLocation);
    const plugin = new YamlItem(item.file, entry, 'required_plugin_versions entry');
    const requirement = (p: YamlItem): PluginRequirement => ({
      name: p.string('name') as string,
      version: p.string('version') as string,
    });
    const alternatives = [requirement(plugin)];
    if (plugin.has('alternatives')) {
      const list = plugin.get('alternatives');
      if (!isSeq(list))
        return plugin.fail(
          'Value of plugin version alternatives must be a sequence',
          plugin.valueLocation('alternatives'),
        );
      for (const alternative of list.items) {
        if (!isMap(alternative)) {
          return plugin.fail(
            'Plugin version alternative must be a mapping',
            item.file.locationOf(alternative as Node, entryLocation),
          );
        }
        alternatives.push(
          requirement(new YamlItem(item.file, alternative, 'required_plugin_versions alternative')),
        );
      }
    }
    collector.definePluginRequirement({ alternatives, location: entryLocation });
  }
  warnUnknownKeys(collector, item, new Set(['required_plugin_versions']));
}

/** The keys under `override:` split by operation, checked against what the item allows. */
function readOverrides(item: YamlItem, appendable: ReadonlySet<string>, replaceable: ReadonlySet<string>) {
  const append = new Set<string>();
  const replace = new Set<string>();
  for (const { key, operation, location } of item.overrides()) {
    if (operation === 'append') {
      if (!appendable.has(key))
        item.fail(`Key '${key}' cannot be appended to, use 'replace' instead`, location);
      append.add(key);
    } else if (operation === 'replace') {
      if (!replaceable.has(key)) item.fail(`Key '${key}' cannot be replaced`, location);
      replace.add(key);
    } else {
      const allowed = [appendable.has(key) ? 'append ' : '', replaceable.has(key) ? 'replace ' : ''].join('');
      item.fail(
        `Invalid override operation for key '${key}': '${operation}'. Allowed values are: ${allowed}`,
        location,
      );
    }
  }
  return { append, replace };
}

function readAppendFlag(collector: Collector, item: YamlItem): boolean {
  const append = item.bool('append', { optional: true }) ?? false;
  if (append) collector.warn('deprecated-item', appendDeprecated, item.keyLocation('append'), item.label);
  return append;
}

function readList(collector: Collector, item: YamlItem): void {
  const name = item.string('list') as string;
  item.label = describeItem('list', name);
  if (!/^[^()"'\s=,]+$/.test(name)) {
    collector.warn(
      'invalid-list-name',
      'List has an invalid name. List names should match a regular expression: ([^()"\'[:space:]=,]+)',
      item.location,
      item.label,
    );
  }
  const items = item.strings('items') as string[];
  let append = readAppendFlag(collector, item);
  const overrides = readOverrides(item, new Set(['items']), new Set(['items']));
  if (append && overrides.append.size + overrides.replace.size > 0) item.fail(overrideWithAppend);
  append ||= overrides.append.has('items');
  if (append) collector.appendList(name, items, item.location);
  else collector.defineList({ name, items, location: item.location });
  warnUnknownKeys(collector, item, new Set(['list', 'items', 'append', 'override']));
}

function readMacro(collector: Collector, item: YamlItem): void {
  const name = item.string('macro') as string;
  item.label = describeItem('macro', name);
  if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(name)) {
    collector.warn(
      'invalid-macro-name',
      'Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)',
      item.location,
      item.label,
    );
  }
  const condition = item.mapped('condition') as MappedText;
  let append = readAppendFlag(collector, item);
  const overrides = readOverrides(item, new Set(['condition']), new Set(['condition']));
  if (append && overrides.append.size + overrides.replace.size > 0) item.fail(overrideWithAppend);
  append ||= overrides.append.has('condition');
  if (append) collector.appendMacro(name, condition, item.location);
  else collector.defineMacro({ name, condition, location: item.location });
  warnUnknownKeys(collector, item, new Set(['macro', 'condition', 'append', 'override']));
}

function readTags(item: YamlItem): Set<string> | undefined {
  const tags = item.strings('tags', { optional: true });
  return tags === undefined ? undefined : new Set(tags);
}

function readPriority(item: YamlItem): Priority {
  const text = item.string('priority') as string;
  const priority = parsePriority(text);
  if (priority === undefined) item.fail('Invalid priority', item.valueLocation('priority'));
  return priority;
}

function readRule(collector: Collector, item: YamlItem): void {
  const name = item.string('rule') as string;
  item.label = describeItem('rule', name);
  const source = item.string('source', { optional: true, canBeEmpty: true }) ?? '';
  const hasAppendFlag = readAppendFlag(collector, item);
  const overrides = readOverrides(item, ruleAppendable, ruleReplaceable);
  const hasOverrides = overrides.append.size + overrides.replace.size > 0;
  if (hasAppendFlag && hasOverrides) item.fail(overrideWithAppend);

  if (hasOverrides) {
    // Every overridable key present must be named under override, and vice versa.
    const expected = new Set([...ruleAppendable, ...ruleReplaceable].filter((key) => item.has(key)));
    const claim = (operations: Set<string>, operation: string, key: string) => {
      if (!operations.has(key)) return false;
      if (!expected.has(key))
        item.fail(`An ${operation} override for '${key}' was specified but '${key}' is not defined`);
      expected.delete(key);
      return true;
    };
    if (overrides.append.size > 0) {
      const update: RuleUpdate = { name, source, location: item.location };
      if (claim(overrides.append, 'append', 'condition')) update.condition = item.mapped('condition');
      if (claim(overrides.append, 'append', 'exceptions'))
        update.exceptions = readExceptions(collector, item, true);
      if (claim(overrides.append, 'append', 'output')) update.output = item.mapped('output');
      if (claim(overrides.append, 'append', 'desc')) update.description = item.string('desc');
      if (claim(overrides.append, 'append', 'tags')) update.tags = readTags(item);
      collector.appendRule(update);
    }
    if (overrides.replace.size > 0) {
      const update: RuleUpdate = { name, source, location: item.location };
      if (claim(overrides.replace, 'replace', 'condition')) update.condition = item.mapped('condition');
      if (claim(overrides.replace, 'replace', 'exceptions'))
        update.exceptions = readExceptions(collector, item, false);
      if (claim(overrides.replace, 'replace', 'output')) update.output = item.mapped('output');
      if (claim(overrides.replace, 'replace', 'desc')) update.description = item.string('desc');
      if (claim(overrides.replace, 'replace', 'tags')) update.tags = readTags(item);
      if (claim(overrides.replace, 'replace', 'priority')) update.priority = readPriority(item);
      if (claim(overrides.replace, 'replace', 'capture')) update.capture = item.bool('capture');
      if (claim(overrides.replace, 'replace', 'capture_duration'))
        update.captureDuration = item.unsigned('capture_duration');
      if (claim(overrides.replace, 'replace', 'enabled')) update.enabled = item.bool('enabled');
      if (claim(overrides.replace, 'replace', 'warn_evttypes'))
        update.warnEvttypes = item.bool('warn_evttypes');
      if (claim(overrides.replace, 'replace', 'skip-if-unknown-filter')) {
        update.skipIfUnknownFilter = item.bool('skip-if-unknown-filter');
      }
      collector.replaceRule(update);
    }
    for (const key of expected) {
      item.fail(
        `Unexpected key '${key}': no corresponding entry under 'override' is defined.`,
        item.keyLocation(key),
      );
    }
  } else if (hasAppendFlag) {
    const update: RuleUpdate = { name, source, location: item.location };
    if (item.has('condition')) update.condition = item.mapped('condition');
    if (item.has('exceptions')) update.exceptions = readExceptions(collector, item, true);
    collector.appendRule(update);
  } else if (!['condition', 'output', 'desc', 'priority'].some((key) => item.has(key))) {
    const enabled = item.bool('enabled') as boolean;
    collector.warn('deprecated-item', enabledDeprecated, item.location, item.label);
    collector.enableRule(name, enabled, item.location);
  } else {
    const condition = item.mapped('condition') as MappedText;
    const output = (item.mapped('output') as MappedText).trim();
    const description = item.string('desc') as string;
    const priority = readPriority(item);
    collector.defineRule({
      name,
      condition,
      output,
      description,
      priority,
      source: item.string('source', { optional: true }) ?? 'syscall',
      enabled: item.bool('enabled', { optional: true }) ?? true,
      capture: item.bool('capture', { optional: true }) ?? false,
      captureDuration: item.unsigned('capture_duration', { optional: true }) ?? 0,
      warnEvttypes: item.bool('warn_evttypes', { optional: true }) ?? true,
      skipIfUnknownFilter: item.bool('skip-if-unknown-filter', { optional: true }) ?? false,
      tags: readTags(item) ?? new Set(),
      exceptions: readExceptions(collector, item, false),
      location: item.location,
    });
  }
  warnUnknownKeys(collector, item, ruleKeys);
}

function readEntry(item: YamlItem, node: Node | null | undefined, location: SourceLocation): ExceptionEntry {
  if (isScalar(node)) {
    const text = scalarText(node);
    if (text === '') item.fail('Value must be non-empty', location);
    return { list: false, item: text };
  }
  if (isSeq(node)) {
    return {
      list: true,
      items: node.items.map((child) => {
        const childLocation = item.file.locationOf(child as Node, location);
        if (child === undefined || isNullNode(child as Node))
          item.fail("Item has no mapping for key ''", childLocation);
        return readEntry(item, child as Node, childLocation);
      }),
    };
  }
  return { list: false, item: '' };
}

function readExceptions(collector: Collector, item: YamlItem, append: boolean): ExceptionInfo[] {
  const node = item.get('exceptions');
  if (node === undefined || isNullNode(node)) return [];
  const listLocation = item.valueLocation('exceptions');
  if (!isSeq(node)) return item.fail('Rule exceptions must be a sequence', listLocation);
  const exceptions: ExceptionInfo[] = [];
  for (const entry of node.items) {
    const location = item.file.locationOf(entry as Node, listLocation);
    if (!isMap(entry)) item.fail('Rule exception must be a mapping', location);
    const ex = new YamlItem(item.file, entry, item.label);
    const name = ex.string('name') as string;
    if (exceptions.some((e) => e.name === name)) {
      collector.warn(
        'exception-name-not-unique',
        `Multiple definitions of exception '${name}' in the same rule`,
        location,
        item.label,
      );
    }
    let fields: ExceptionEntry | undefined;
    if (ex.has('fields')) fields = readEntry(ex, ex.get('fields'), ex.valueLocation('fields'));
    else if (!append) ex.fail("Item has no mapping for key 'fields'", location);
    const comps = ex.has('comps') ? readEntry(ex, ex.get('comps'), ex.valueLocation('comps')) : undefined;
    const values: ExceptionEntry[] = [];
    if (ex.has('values')) {
      const valuesNode = ex.get('values');
      if (!isSeq(valuesNode))
        return ex.fail('Rule exception values must be a sequence', ex.valueLocation('values'));
      for (const value of valuesNode.items) {
        const valueLocation = item.file.locationOf(value as Node, ex.valueLocation('values'));
        if (value === undefined || isNullNode(value as Node))
          ex.fail("Item has no mapping for key ''", valueLocation);
        values.push(readEntry(ex, value as Node, valueLocation));
      }
    } else if (append) {
      collector.warn(
        'append-no-values',
        'Overriding/appending exception with no values',
        location,
        item.label,
      );
    }
    exceptions.push({ name, fields, comps, values, location });
  }
  return exceptions;
}
