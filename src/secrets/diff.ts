/**
 * Decrypted diffs for git, with nothing written in clear: as a textconv filter (`--textconv FILE`
 * prints the plaintext of a sops file, or any other file unchanged) and as an external diff
 * driver (git passes `path old-file old-hex old-mode new-file new-hex new-mode`; we print a
 * unified diff of the two plaintexts computed in memory).
 */
import { readFile } from 'node:fs/promises';
import { decryptContent } from './decrypt.js';
import type { SecretsRuntime } from './runtime.js';
import { isSopsFile } from './status.js';

/** The text git should compare for `path` (`content` when given: git's temp copy of a blob). */
export async function textconv(rt: SecretsRuntime, path: string, content?: Buffer): Promise<Buffer> {
  const data = content ?? (await readFile(path));
  if (!isSopsFile(data, path)) return data;
  return decryptContent(rt, { input: data, path });
}

type Op = { kind: ' ' | '-' | '+'; line: string };

const lineAt = (lines: string[], i: number): string => lines[i] ?? '';

/** Myers' O(ND) diff of two line arrays. */
function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  const at = (map: Map<number, number>, k: number): number => map.get(k) ?? -1;
  outer: for (let d = 0; d <= n + m; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && at(v, k - 1) < at(v, k + 1));
      let x = down ? Math.max(at(v, k + 1), 0) : at(v, k - 1) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) break outer;
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d] ?? new Map<number, number>();
    const k = x - y;
    const down = k === -d || (k !== d && at(vd, k - 1) < at(vd, k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = Math.max(at(vd, prevK), 0);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: ' ', line: lineAt(a, x) });
    }
    if (d > 0) {
      if (down) {
        y--;
        ops.push({ kind: '+', line: lineAt(b, y) });
      } else {
        x--;
        ops.push({ kind: '-', line: lineAt(a, x) });
      }
    }
  }
  return ops.reverse();
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A unified diff (3 lines of context) between two texts; "" when equal. */
export function unifiedDiff(
  oldText: string,
  newText: string,
  oldName: string,
  newName: string,
  context = 3,
): string {
  const ops = diffLines(splitLines(oldText), splitLines(newText));
  const changed = ops.map((o) => o.kind !== ' ');
  if (!changed.includes(true)) return '';
  let out = `--- ${oldName}\n+++ ${newName}\n`;
  // Line numbers in the old and new text before each op.
  const aNo: number[] = [];
  const bNo: number[] = [];
  let aLine = 1;
  let bLine = 1;
  for (const o of ops) {
    aNo.push(aLine);
    bNo.push(bLine);
    if (o.kind !== '+') aLine++;
    if (o.kind !== '-') bLine++;
  }
  let i = changed.indexOf(true);
  while (i >= 0 && i < ops.length) {
    const start = Math.max(0, i - context);
    // Extend the hunk while the next change is close enough to share context.
    let last = i;
    for (let j = i + 1; j < ops.length && j - last <= context * 2; j++) if (changed[j] === true) last = j;
    const end = Math.min(ops.length, last + context + 1);
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const aStart = aNo[start] ?? 1;
    const bStart = bNo[start] ?? 1;
    out += `@@ -${aCount === 0 ? aStart - 1 : aStart},${aCount} +${bCount === 0 ? bStart - 1 : bStart},${bCount} @@\n`;
    for (const o of hunk) out += `${o.kind}${o.line}\n`;
    const next = changed.indexOf(true, end);
    i = next;
  }
  return out;
}

async function plaintextOf(rt: SecretsRuntime, file: string, path: string): Promise<string> {
  if (file === '/dev/null') return '';
  return (await textconv(rt, path, await readFile(file))).toString('utf8');
}

/** `path old new` (two files) or git's seven diff-driver arguments. */
export async function decryptedDiff(rt: SecretsRuntime, args: string[]): Promise<string> {
  let path: string;
  let oldFile: string;
  let newFile: string;
  if (args.length === 7) {
    [path, oldFile, , , newFile] = args as [string, string, string, string, string];
  } else if (args.length === 2) {
    [oldFile, newFile] = args as [string, string];
    path = newFile;
  } else {
    throw new Error('expected two files, or the seven arguments git passes to a diff driver');
  }
  const [before, after] = await Promise.all([plaintextOf(rt, oldFile, path), plaintextOf(rt, newFile, path)]);
  const name = args.length === 7 ? path : undefined;
  return unifiedDiff(
    before,
    after,
    name === undefined ? oldFile : `a/${name}`,
    name === undefined ? newFile : `b/${name}`,
  );
}
