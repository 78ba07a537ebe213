/**
 * The fields of Falco's json plugin (0.7.4): `json.value[<JSON pointer>]`, `json.obj`,
 * `json.rawtime`, and their old `jevt.*` aliases, which the k8s audit rules still use.
 */
import { asText, missing, pointer } from './json-access.js';
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
        const pointerText = arg?.key ?? '';
        return (event) => {
          const value = pointer(event.data, pointerText);
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
