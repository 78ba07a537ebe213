/**
 * The event sources Chartroom knows:
 * - `k8s_audit`: Kubernetes audit events with the k8saudit plugin's `ka.*` fields, the json
 *   plugin's `json.*`/`jevt.*` fields and the generic `evt.*` fields, as in Falco.
 * - `syscall`: Chartroom does not capture syscalls; this source lets Falco's syscall rules load
 *   (their lists and macros are shared with other files) and evaluates "flat" JSON events whose
 *   keys are Falco field names, e.g. {"evt.type":"execve","proc.name":"bash"}.
 */
import { genericFields } from './generic.js';
import { jsonPluginFields } from './json-plugin.js';
import { k8sauditFields } from './k8saudit.js';
import type {
  EventSourceContext,
  EventSourceDefinition,
  FieldDefinition,
  FieldInfo,
  FieldValue,
  RuntimeEvent,
} from './types.js';

export const k8sAuditSourceName = 'k8s_audit';
export const syscallSourceName = 'syscall';

function catalogSource(
  name: string,
  fields: readonly FieldDefinition[],
  extra: Pick<EventSourceDefinition, 'pluginName' | 'describeEvent'>,
): EventSourceDefinition {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const infos: FieldInfo[] = fields.map(({ bind: _bind, ...info }) => info);
  return { name, field: (n) => byName.get(n), fields: () => infos, ...extra };
}

export function k8sAuditSource(context: EventSourceContext): EventSourceDefinition {
  const identity = {
    name: k8sAuditSourceName,
    pluginName: 'k8saudit',
    // The plugin's String(): the event JSON as one line.
    describeEvent: (event: RuntimeEvent) => JSON.stringify(event.data),
  };
  return catalogSource(
    k8sAuditSourceName,
    [...genericFields(context, identity), ...k8sauditFields, ...jsonPluginFields],
    identity,
  );
}

/** A flat JSON value as a field value: arrays become lists, everything else text. */
function flatValue(value: unknown): FieldValue | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    return value.length === 0 ? undefined : value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function syscallSource(context: EventSourceContext): EventSourceDefinition {
  const generic = new Map(genericFields(context, { name: syscallSourceName }).map((f) => [f.name, f]));
  const known = new Map<string, FieldDefinition>();
  const field = (name: string): FieldDefinition => {
    let definition = known.get(name);
    if (definition === undefined) known.set(name, (definition = flatField(name)));
    return definition;
  };
  const flatField = (name: string): FieldDefinition => {
    const builtin = generic.get(name);
    return {
      name,
      type: 'dynamic',
      list: false,
      arg: { required: false, key: true, index: true },
      description: builtin?.description ?? 'Read from the flat JSON event by name.',
      bind: (arg) => {
        const fallback = builtin?.bind(undefined);
        const withArg = arg === undefined ? undefined : `${name}[${arg.key}]`;
        return (event) => {
          const data = event.data as Record<string, unknown> | null;
          if (typeof data === 'object' && data !== null) {
            if (withArg !== undefined && Object.hasOwn(data, withArg)) return flatValue(data[withArg]);
            if (Object.hasOwn(data, name)) {
              const value = data[name];
              if (arg?.index !== undefined && Array.isArray(value)) return flatValue(value[arg.index]);
              if (arg === undefined) return flatValue(value);
            }
          }
          const builtinValue = fallback?.(event);
          return typeof builtinValue === 'bigint' || typeof builtinValue === 'boolean'
            ? String(builtinValue)
            : builtinValue;
        };
      },
    };
  };
  return {
    name: syscallSourceName,
    open: true,
    field,
    fields: () =>
      [...generic.values()].map(({ bind: _bind, ...info }) => ({ ...info, type: 'dynamic' as const })),
  };
}

export function defaultSources(context: EventSourceContext): EventSourceDefinition[] {
  return [k8sAuditSource(context), syscallSource(context)];
}
