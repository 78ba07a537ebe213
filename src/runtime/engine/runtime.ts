/**
 * A ready-to-use runtime: event sources with their shared context (hostname, first event time),
 * loaded rules, the engine, and event numbering — events in, alerts out.
 */
import { readFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { defaultSources } from '../fields/sources.js';
import type { EventSourceContext, EventSourceDefinition, RuntimeEvent } from '../fields/types.js';
import { buildAlert, type Alert } from '../outputs/alert.js';
import { loadRules, type LoadedRules, type RulesFile } from '../rules/load.js';
import { Engine, type EngineOptions } from './engine.js';

export interface LoadOptions {
  /** `evt.hostname` and the alerts' hostname; default: FALCO_HOSTNAME, then the machine's name. */
  hostname?: string;
  /** Extra sources (tests use a mock source); the defaults are k8s_audit and syscall. */
  extraSources?: (context: EventSourceContext) => EventSourceDefinition[];
}

export interface RuntimeOptions extends LoadOptions, EngineOptions {
  timeFormatIso8601?: boolean;
}

/** Rules compiled against sources that share one context (fields read hostname and first event time from it). */
export interface ContextRules {
  rules: LoadedRules;
  context: EventSourceContext;
}

export function defaultHostname(env: NodeJS.ProcessEnv = process.env): string {
  return env.FALCO_HOSTNAME ?? osHostname();
}

export async function readRulesFiles(paths: readonly string[]): Promise<RulesFile[]> {
  return Promise.all(paths.map(async (path) => ({ name: path, content: await readFile(path, 'utf8') })));
}

/** Loads rules (throws RulesLoadError naming file, line and column). */
export function compileRuntimeRules(files: readonly RulesFile[], options: LoadOptions = {}): ContextRules {
  const context: EventSourceContext = { hostname: options.hostname ?? defaultHostname() };
  const sources = [...defaultSources(context), ...(options.extraSources?.(context) ?? [])];
  return { rules: loadRules(files, sources), context };
}

export class Runtime {
  readonly context: EventSourceContext;
  readonly rules: LoadedRules;
  readonly engine: Engine;
  private count = 0;

  /** A fresh event stream over already loaded rules (numbering and relative times restart). */
  constructor(
    loaded: ContextRules,
    private readonly options: RuntimeOptions = {},
  ) {
    this.context = loaded.context;
    this.context.firstEventTs = undefined;
    this.rules = loaded.rules;
    this.engine = new Engine(this.rules, options);
  }

  static fromContents(files: readonly RulesFile[], options: RuntimeOptions = {}): Runtime {
    return new Runtime(compileRuntimeRules(files, options), options);
  }

  static async fromFiles(paths: readonly string[], options: RuntimeOptions = {}): Promise<Runtime> {
    return Runtime.fromContents(await readRulesFiles(paths), options);
  }

  /** Numbers the event (in place), runs the rules, and builds an alert per match. */
  process(event: Omit<RuntimeEvent, 'num'>): Alert[] {
    const numbered = event as RuntimeEvent;
    numbered.num = ++this.count;
    this.context.firstEventTs ??= event.ts;
    const matches = this.engine.match(numbered);
    if (matches.length === 0) return [];
    return matches.map((rule) =>
      buildAlert(rule, numbered, {
        hostname: this.context.hostname,
        timeFormatIso8601: this.options.timeFormatIso8601 === true,
      }),
    );
  }

  get eventsProcessed(): number {
    return this.count;
  }
}
