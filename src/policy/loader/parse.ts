/**
 * Reads manifests from YAML or JSON text: every document of a multi-document stream, the items of
 * a `List`, with the file and line each object starts on. Helm's `# Source: chart/templates/x.yaml`
 * comments rename the file, so findings on a rendered chart point at the template.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
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

const sourceComment = /^#\s*Source:\s*(\S.*?)\s*$/m;

export function parseManifests(text: string, file: string): Manifest[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const list = Array.isArray(documents) ? documents : [documents];
  const out: Manifest[] = [];
  for (const document of list) {
    const start = document.contents?.range[0] ?? document.range[0];
    const firstError = document.errors[0];
    if (firstError !== undefined) {
      const at = lineCounter.linePos(firstError.pos[0]).line;
      throw new ManifestParseError(file, at, firstError.message.split('\n')[0] ?? 'parse error');
    }
    const value: unknown = document.toJS({ maxAliasCount: 1000 });
    if (!isObject(value)) continue; // empty documents, comments only, bare scalars
    // After `---` the comment attaches to the document or to its first node, by yaml's rules.
    const contents = document.contents as { commentBefore?: string | null } | null;
    const commentBefore = [document.commentBefore, contents?.commentBefore]
      .filter((c) => typeof c === 'string')
      .join('\n');
    const helmSource = sourceComment.exec(
      commentBefore
        .split('\n')
        .map((line) => `#${line}`)
        .join('\n'),
    )?.[1];
    const location = {
      file: helmSource ?? file,
      line: helmSource === undefined ? lineCounter.linePos(start).line : 1,
    };
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
