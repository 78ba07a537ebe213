/**
 * Loads rules files as Falco does: files in order into one set of definitions, each file compiled
 * as it is added (so a file may only use what it or earlier files define), then version
 * requirements checked against what Chartroom implements.
 */
import type { EventSourceDefinition } from '../fields/types.js';
import { Collector } from './collector.js';
import { compileRules, type CompiledRules, type ParseCache } from './compile-rules.js';
import { RulesLoadError, type RulesWarning } from './diagnostics.js';
import type { PluginRequirementInfo, Version } from './model.js';
import { readRulesFile } from './reader.js';
import { formatVersion, parseVersion, providedPlugins, satisfies } from './versions.js';

export interface RulesFile {
  /** Shown in messages: usually the path as the user gave it. */
  name: string;
  content: string;
}

export interface LoadedRules extends CompiledRules {
  files: string[];
  sources: ReadonlyMap<string, EventSourceDefinition>;
  requiredEngineVersion: Version | undefined;
  pluginRequirements: PluginRequirementInfo[];
}

function checkPluginRequirements(
  requirements: readonly PluginRequirementInfo[],
  warnings: RulesWarning[],
): void {
  for (const requirement of requirements) {
    const ok = requirement.alternatives.some((alternative) => {
      const provided = providedPlugins[alternative.name];
      const wanted = parseVersion(alternative.version);
      return provided !== undefined && wanted !== undefined && satisfies(provided, wanted);
    });
    if (ok) continue;
    const main = requirement.alternatives[0];
    if (main === undefined) continue;
    const ours = requirement.alternatives.find((a) => providedPlugins[a.name] !== undefined);
    if (ours !== undefined) {
      throw new RulesLoadError(
        'validate',
        `Plugin '${ours.name}' version '${formatVersion(providedPlugins[ours.name] as Version)}' is not compatible with required plugin version '${ours.version}'`,
        requirement.location,
        'required_plugin_versions',
      );
    }
    warnings.push({
      code: 'plugin-requirement',
      message: `Plugin '${main.name}' (${main.version} or later) is not implemented by Chartroom: rules that need its fields only run on flat JSON events`,
      location: requirement.location,
      item: 'required_plugin_versions',
    });
  }
}

export function loadRules(
  files: readonly RulesFile[],
  sources: readonly EventSourceDefinition[],
): LoadedRules {
  const sourceMap = new Map(sources.map((s) => [s.name, s]));
  const collector = new Collector(sourceMap);
  let compiled: CompiledRules = { rules: [], macros: new Map(), lists: new Map(), warnings: [] };
  const cache: ParseCache = new WeakMap();
  for (const file of files) {
    readRulesFile(collector, file.name, file.content);
    compiled = compileRules(collector, sourceMap, cache);
  }
  const warnings = [...collector.warnings, ...compiled.warnings];
  checkPluginRequirements(collector.pluginRequirements, warnings);
  return {
    ...compiled,
    warnings,
    files: files.map((f) => f.name),
    sources: sourceMap,
    requiredEngineVersion: collector.requiredEngineVersion,
    pluginRequirements: collector.pluginRequirements,
  };
}
