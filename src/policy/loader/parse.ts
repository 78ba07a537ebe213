/**
 * Reads manifests from YAML or JSON text: every document of a multi-document stream, the items of
 * a `List`, with the file and line each object starts on. Helm's `# Source: chart/templates/x.yaml`
 * comments rename the file, so findings on a rendered chart point at the template.
 *
 * Documents are split on their `---` lines and each is loaded with js-yaml's core schema (YAML 1.2:
 * timestamps stay strings, as the API server reads them); js-yaml is several times faster than a
 * full-fidelity parser, which matters at tens of thousands of objects.
 */
import { load, CORE_SCHEMA, YAMLException } from 'js-yaml';
import { ChartroomError, ExitCode } from '../../core/errors.js';
import { isObject, objs, str, stringMap } from '../json.js';
import type { Json, Manifest } from '../model.js';

export class ManifestParseError extends ChartroomError {
  constructor(file: string, line: number, detail: string) {
    super(`${file}:${line}: not valid YAML: ${detail}`, {
      code: 'policy-manifest-invalid',
      exitCode: ExitCode.usage,
      hint: 'Fix the YAML at that line (`helm template` output and `kubectl get -o yaml` both parse).',
    });
  }
}

interface Chunk {
  text: string;
  /** 1-based line of the chunk's first line in the file. */
  line: number;
}

/**
 * Splits a YAML stream at document markers. A `---` (or `...`) at column 0 always ends a
 * document: block scalars and nested content are indented, so no content line can look like one.
 */
function documents(text: string): Chunk[] {
  const lines = text.split(/\r?\n/);
  const chunks: Chunk[] = [];
  let start = 0;
  const flush = (end: number): void => {
    if (end > start) chunks.push({ text: lines.slice(start, end).join('\n'), line: start + 1 });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('---') && (line.length === 3 || line[3] === ' ' || line[3] === '\t')) {
      flush(i);
      // Content after the marker on the same line belongs to the new document.
      lines[i] = line.slice(3);
      start = i;
    } else if (line === '...' || line.startsWith('... ')) {
      flush(i);
      start = i + 1;
    }
  }
  flush(lines.length);
  return chunks;
}

const sourceComment = /^#\s*Source:\s*(\S.*?)\s*$/;

/** Line of the first content line (past comments and blanks), and Helm's Source comment if any. */
function preamble(chunk: Chunk): { line: number; helmSource: string | undefined } {
  const lines = chunk.text.split('\n');
  let helmSource: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const trimmed = (lines[i] ?? '').trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      helmSource ??= sourceComment.exec(trimmed)?.[1];
      continue;
    }
    return { line: chunk.line + i, helmSource };
  }
  return { line: chunk.line, helmSource };
}

export function parseManifests(text: string, file: string): Manifest[] {
  const out: Manifest[] = [];
  for (const chunk of documents(text)) {
    let value: unknown;
    try {
      value = load(chunk.text, { schema: CORE_SCHEMA, filename: file });
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      throw new ManifestParseError(file, chunk.line + error.mark.line, error.reason);
    }
    if (!isObject(value)) continue; // empty documents, comments only, bare scalars
    const { line, helmSource } = preamble(chunk);
    const location = { file: helmSource ?? file, line: helmSource === undefined ? line : 1 };
    for (const item of expandLists(value)) out.push(toManifest(item, location));
  }
  return out;
}

/**
 * `kind: List` (and `*List` from kubectl) holds objects in `items`; the JSON of
 * `aws autoscaling describe-auto-scaling-groups` holds Auto Scaling groups, read as objects of
 * kind `AutoScalingGroup` so the spot checks see them.
 */
function expandLists(value: Json): Json[] {
  const kind = str(value, 'kind') ?? '';
  if (kind === '' && Array.isArray(value.AutoScalingGroups)) {
    return objs(value, 'AutoScalingGroups').map((group) => ({
      ...group,
      apiVersion: 'autoscaling.amazonaws.com/v1',
      kind: 'AutoScalingGroup',
      metadata: { name: str(group, 'AutoScalingGroupName') ?? '' },
    }));
  }
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    return objs(value, 'items').flatMap(expandLists);
  }
  return [value];
}

function toManifest(doc: Json, source: { file: string; line: number }): Manifest {
  return {
    apiVersion: str(doc, 'apiVersion') ?? '',
    kind: str(doc, 'kind') ?? '',
    name: str(doc, 'metadata.name') ?? '',
    namespace: str(doc, 'metadata.namespace'),
    labels: stringMap(doc, 'metadata.labels'),
    annotations: stringMap(doc, 'metadata.annotations'),
    doc,
    source,
  };
}
