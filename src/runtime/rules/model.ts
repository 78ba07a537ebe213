/**
 * What the rules reader collects from rules files, before compilation: lists, macros and rules as
 * Falco's rule_loader::collector keeps them, with their definition order (`index`, which an
 * override does not change) and `visibility` (the last time the item was defined or updated, which
 * decides what an item may refer to).
 */
import type { SourceLocation } from './diagnostics.js';
import type { MappedText } from './mapped-text.js';
import type { Priority } from './priority.js';

export interface Ordered {
  index: number;
  visibility: number;
}

export interface ListInfo extends Ordered {
  name: string;
  items: string[];
  location: SourceLocation;
}

export interface MacroInfo extends Ordered {
  name: string;
  condition: MappedText;
  location: SourceLocation;
}

/** A scalar or a (nested) list, as exception fields, comps and values are written. */
export type ExceptionEntry = { list: false; item: string } | { list: true; items: ExceptionEntry[] };

export interface ExceptionInfo {
  name: string;
  fields: ExceptionEntry | undefined;
  comps: ExceptionEntry | undefined;
  values: ExceptionEntry[];
  location: SourceLocation;
}

export interface RuleInfo extends Ordered {
  name: string;
  condition: MappedText;
  output: MappedText;
  description: string;
  priority: Priority;
  source: string;
  enabled: boolean;
  tags: Set<string>;
  exceptions: ExceptionInfo[];
  capture: boolean;
  captureDuration: number;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  /** The source is not known to Chartroom: the rule is kept (for overrides) but never compiled. */
  unknownSource: boolean;
  location: SourceLocation;
}

/** What a `rule:` item with `override`/`append` changes in an earlier rule. */
export interface RuleUpdate {
  name: string;
  source: string;
  location: SourceLocation;
  condition?: MappedText;
  output?: MappedText;
  description?: string;
  tags?: Set<string>;
  exceptions?: ExceptionInfo[];
  priority?: Priority;
  capture?: boolean;
  captureDuration?: number;
  enabled?: boolean;
  warnEvttypes?: boolean;
  skipIfUnknownFilter?: boolean;
}

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export interface PluginRequirement {
  name: string;
  version: string;
}

export interface PluginRequirementInfo {
  /** The first entry is the plugin itself; the rest are its alternatives. */
  alternatives: PluginRequirement[];
  location: SourceLocation;
}
