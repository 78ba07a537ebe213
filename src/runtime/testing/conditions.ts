/** Helpers for tests: compile a condition against a source and evaluate it on events. */
import { compileCondition } from '../compiler/compile.js';
import { defaultSources, k8sAuditSourceName, syscallSourceName } from '../fields/sources.js';
import type { EventSourceDefinition, FieldDefinition, FieldValue, RuntimeEvent } from '../fields/types.js';
import { parseCondition } from '../parser/parser.js';

export const testContext = { hostname: 'test-host' };
const [k8s, syscall] = defaultSources(testContext) as [EventSourceDefinition, EventSourceDefinition];
export const k8sAuditSource = k8s;
export const flatSource = syscall;

/**
 * libsinsp's mock fields of the compiler tests: c.true always has the value "1", c.false and
 * c.buffer never have a value, c.singlequote is `hello 'quoted'` and c.doublequote `hello "quoted"`.
 */
export const mockSource: EventSourceDefinition = (() => {
  const values: Record<string, string | undefined> = {
    'c.true': '1',
    'c.false': undefined,
    'c.buffer': undefined,
    'c.singlequote': "hello 'quoted'",
    'c.doublequote': 'hello "quoted"',
  };
  const fields = new Map<string, FieldDefinition>(
    Object.entries(values).map(([name, value]) => [
      name,
      { name, type: 'string', list: false, description: 'mock', bind: () => () => value },
    ]),
  );
  return { name: 'mock', field: (n) => fields.get(n), fields: () => [...fields.values()] };
})();

export function auditEvent(data: unknown, ts = 1_540_000_000_000_000_000n): RuntimeEvent {
  return { source: k8sAuditSourceName, data, ts, num: 1 };
}

export function flatEvent(data: Record<string, unknown>, ts = 1_540_000_000_000_000_000n): RuntimeEvent {
  return { source: syscallSourceName, data, ts, num: 1 };
}

/** Compiles `condition` for `source` and evaluates it on `event`. */
export function evaluate(
  condition: string,
  event: RuntimeEvent,
  source: EventSourceDefinition = k8sAuditSource,
): boolean {
  return compileCondition(parseCondition(condition), { source }).evaluate(event);
}

/** The value of one field (with optional argument) on an event. */
export function extract(
  source: EventSourceDefinition,
  field: string,
  event: RuntimeEvent,
  arg?: string,
): FieldValue | undefined {
  const definition = source.field(field);
  if (definition === undefined) throw new Error(`no field ${field}`);
  const index = arg !== undefined && /^(0|[1-9][0-9]*)$/.test(arg) ? Number(arg) : undefined;
  return definition.bind(arg === undefined ? undefined : { key: arg, index })(event);
}
