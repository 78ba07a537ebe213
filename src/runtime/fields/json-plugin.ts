/**
 * The fields of Falco's json plugin (0.7.4): `json.value[<JSON pointer>]`, `json.obj`,
 * `json.rawtime`, and their old `jevt.*` aliases, which the k8s audit rules still use.
 */
import { asText, missing, pointer, pointerKeys } from './json-access.js';
import type { FieldDefinition } from './types.js';

function jsonFields(prefix: 'json' | 'jevt', alias: boolean): FieldDefinition[] {
  const note = alias ? ` Alias of json.*, kept for old rules.` : '';
  return [
    {
      name: `${prefix}.value`,
      type: 'string',
      list: false,
      arg: { required: true, key: true, index: false },
      description: `A value of the event JSON at an RFC 6901 pointer, e.g. ${prefix}.value[/objectRef/name].${note}`,
      bind: (arg) => {
        const text = arg?.key ?? '';
        const keys = text === '' ? undefined : pointerKeys(text);
        // The hot case, `/stage`: a single property that no object inherits is one property read.
        const key = keys?.length === 1 ? (keys[0] as string) : undefined;
        if (key !== undefined && !(key in Object.prototype) && !/^\d+$/.test(key)) {
          return (event) => {
            const data = event.data;
            if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
            const value = (data as Record<string, unknown>)[key];
            return value === undefined ? undefined : asText(value);
          };
        }
        return (event) => {
          const value = pointer(event.data, keys);
          return value === missing ? undefined : asText(value);
        };
      },
    },
    {
      name: `${prefix}.obj`,
      type: 'string',
      list: false,
      description: `The whole event JSON, indented.${note}`,
      bind: () => (event) => JSON.stringify(event.data, null, 2),
    },
    {
      name: `${prefix}.rawtime`,
      type: 'string',
      list: false,
      description: `The event time in nanoseconds since the epoch, as text.${note}`,
      bind: () => (event) => event.ts.toString(),
    },
  ];
}

export const jsonPluginFields: readonly FieldDefinition[] = [
  ...jsonFields('json', false),
  ...jsonFields('jevt', true),
];
