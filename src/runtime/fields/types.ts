/**
 * Fields are what conditions and output templates read from an event. Each event source (Falco's
 * `source:` of a rule) has a catalog of fields; a field bound to its argument becomes an
 * extractor, a plain function from an event to a value or to "not available".
 */

/** The value types Chartroom's sources produce (libsinsp PT_CHARBUF, PT_UINT64, PT_ABSTIME, PT_BOOL). */
export type FieldType = 'string' | 'uint64' | 'abstime' | 'reltime' | 'bool' | 'dynamic';

export interface FieldArgSpec {
  required: boolean;
  /** `[key]`: any text. */
  key: boolean;
  /** `[N]`: a decimal index without leading zeros. */
  index: boolean;
}

export interface FieldInfo {
  name: string;
  type: FieldType;
  /** List fields extract several values and only take `exists`, `in` and `intersects`. */
  list: boolean;
  arg?: FieldArgSpec;
  description: string;
}

/**
 * An extracted value: a string, a 64-bit number (as bigint: nanosecond timestamps do not fit a
 * double), a boolean, or for list fields a non-empty array of strings. `undefined` means the
 * field is not available in this event, which makes every check on it false.
 */
export type FieldValue = string | bigint | boolean | readonly string[];

/** One event as the engine sees it. */
export interface RuntimeEvent {
  /** The event source name, e.g. `k8s_audit`. */
  source: string;
  /** The event's JSON document, already parsed. */
  data: unknown;
  /** Event time in nanoseconds since the epoch (for audit events: `stageTimestamp`). */
  ts: bigint;
  /** Sequence number of the event in its stream, from 1 (evt.num). */
  num: number;
}

export type Extractor = (event: RuntimeEvent) => FieldValue | undefined;

/** A field argument as written: `[3]` gives index 3 and key "3"; `[command]` gives key "command". */
export interface BoundArg {
  key: string;
  index: number | undefined;
}

export interface FieldDefinition extends FieldInfo {
  /** Creates the extractor for this field with its argument (validated by the caller). */
  bind: (arg: BoundArg | undefined) => Extractor;
}

export interface EventSourceContext {
  /** What `evt.hostname` returns. */
  hostname: string;
  /** Time of the first event seen, for `evt.reltime`; updated by the engine. */
  firstEventTs?: bigint;
}

/** An event source known to the engine: its name and its field catalog. */
export interface EventSourceDefinition {
  name: string;
  /** Looks up a field by exact name. */
  field(name: string): FieldDefinition | undefined;
  /** Every field, for `chartroom runtime fields` and documentation. */
  fields(): readonly FieldInfo[];
  /**
   * True when the catalog is not exhaustive (the flat-JSON syscall source): unknown field names
   * are accepted and read from the event document by name.
   */
  open?: boolean;
  /** The plugin name reported by `evt.pluginname`, if the source stands for a plugin. */
  pluginName?: string;
  /** Text of `evt.plugininfo` for an event. */
  describeEvent?(event: RuntimeEvent): string;
}

export class FieldError extends Error {}

/** Validates and parses a field argument the way libsinsp does for plugin fields. */
export function bindArg(field: FieldInfo, arg: string | undefined): BoundArg | undefined {
  if (arg === undefined) {
    if (field.arg?.required === true)
      throw new FieldError(`'${field.name}' requires an argument but none provided`);
    return undefined;
  }
  if (field.arg === undefined) {
    throw new FieldError(
      `'${field.name}' does not allow nor require an argument but one is provided: ${arg}`,
    );
  }
  let index: number | undefined;
  if (field.arg.index) {
    const valid = /^(0|[1-9][0-9]*)$/.test(arg) && Number.isSafeInteger(Number(arg));
    if (valid) index = Number(arg);
    else if (!field.arg.key) {
      const why = /^0[0-9]/.test(arg)
        ? 'an invalid index argument starting with 0'
        : 'an invalid index argument not composed only by digits';
      throw new FieldError(`'${field.name}' has ${why}: ${arg}`);
    }
  }
  return { key: arg, index };
}
