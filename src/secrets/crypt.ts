/**
 * Encrypting and decrypting a whole tree, with sops's partial-encryption rules and its MAC:
 * SHA-512 over every leaf's plaintext bytes in document order (comments and nulls left out,
 * cleartext leaves included unless `mac_only_encrypted`), as upper-case hex.
 *
 * The walk mirrors sops's walkBranch/walkSlice, including the comment stack that the comment
 * regexes look at, so that the same leaves end up encrypted and hashed in the same order.
 */
import { createHash, type Hash } from 'node:crypto';
import { Comment, TreeBranch, type TreeBranches, type TreeValue } from './tree.js';
import { type Leaf, toBytes, type ValueCipher } from './cipher.js';
import { compileGoRegex } from './goregex.js';

/** The partial-encryption settings stored in the metadata (at most one of the six rules). */
export interface CryptRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  unencryptedCommentRegex?: string;
  encryptedCommentRegex?: string;
  macOnlyEncrypted?: boolean;
}

/** `sha256("sops")`: seeds the MAC when only encrypted values count, so the two MACs differ. */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from(
  '8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69',
  'hex',
);

/** Per-level state: the AAD so far and whether a key on the path matched each key rule. */
interface PathState {
  aad: string;
  root: boolean;
  unencryptedSuffix: boolean;
  encryptedSuffix: boolean;
  unencryptedRegex: boolean;
  encryptedRegex: boolean;
}

type CommentStack = string[][];

class Rules {
  private readonly unencryptedRe: RegExp | undefined;
  private readonly encryptedRe: RegExp | undefined;
  private readonly unencryptedCommentRe: RegExp | undefined;
  private readonly encryptedCommentRe: RegExp | undefined;

  constructor(readonly spec: CryptRules) {
    const re = (p: string | undefined): RegExp | undefined =>
      p === undefined || p === '' ? undefined : compileGoRegex(p);
    this.unencryptedRe = re(spec.unencryptedRegex);
    this.encryptedRe = re(spec.encryptedRegex);
    this.unencryptedCommentRe = re(spec.unencryptedCommentRegex);
    this.encryptedCommentRe = re(spec.encryptedCommentRegex);
  }

  child(parent: PathState, key: string): PathState {
    const { unencryptedSuffix, encryptedSuffix } = this.spec;
    return {
      aad: parent.root ? `${key}:` : `${parent.aad}${key}:`,
      root: false,
      unencryptedSuffix:
        parent.unencryptedSuffix ||
        (unencryptedSuffix !== undefined && unencryptedSuffix !== '' && key.endsWith(unencryptedSuffix)),
      encryptedSuffix:
        parent.encryptedSuffix ||
        (encryptedSuffix !== undefined && encryptedSuffix !== '' && key.endsWith(encryptedSuffix)),
      unencryptedRegex: parent.unencryptedRegex || (this.unencryptedRe?.test(key) ?? false),
      encryptedRegex: parent.encryptedRegex || (this.encryptedRe?.test(key) ?? false),
    };
  }

  /** sops's Tree.shouldBeEncrypted. */
  shouldEncrypt(path: PathState, stack: CommentStack, isComment: boolean): boolean {
    const s = this.spec;
    let encrypted = true;
    if (s.unencryptedSuffix) encrypted = !path.unencryptedSuffix;
    if (s.encryptedSuffix) encrypted = path.encryptedSuffix;
    if (this.unencryptedRe && path.unencryptedRegex) encrypted = false;
    if (this.encryptedRe) encrypted = path.encryptedRegex;
    if (this.unencryptedCommentRe) {
      const re = this.unencryptedCommentRe;
      if (stack.some((level) => level.some((c) => re.test(c)))) encrypted = false;
    }
    if (this.encryptedCommentRe) {
      const re = this.encryptedCommentRe;
      encrypted = false;
      const last = stack.length - 1;
      outer: for (const [i, level] of stack.entries()) {
        for (const [j, comment] of level.entries()) {
          // The comment line that matches stays in clear; only what follows it is encrypted.
          if (isComment && i === last && j === level.length - 1) continue;
          if (re.test(comment)) {
            encrypted = true;
            break outer;
          }
        }
      }
    }
    return encrypted;
  }
}

const ROOT: PathState = {
  aad: ':',
  root: true,
  unencryptedSuffix: false,
  encryptedSuffix: false,
  unencryptedRegex: false,
  encryptedRegex: false,
};

/** What happens to each leaf; returns the replacement value. */
type OnLeaf = (leaf: Leaf, path: PathState, stack: CommentStack, inList: boolean) => TreeValue;

function walkValue(
  value: TreeValue,
  path: PathState,
  stack: CommentStack,
  onLeaf: OnLeaf,
  inList: boolean,
  rules: Rules,
): TreeValue {
  if (value === null) return null;
  if (value instanceof TreeBranch) return walkBranch(value, path, stack, onLeaf, rules);
  if (Array.isArray(value)) return walkSlice(value, path, stack, onLeaf, rules);
  return onLeaf(value, path, stack, inList);
}

function walkSlice(
  list: TreeValue[],
  path: PathState,
  outer: CommentStack,
  onLeaf: OnLeaf,
  rules: Rules,
): TreeValue[] {
  let level: string[] = [];
  const stack: CommentStack = [...outer, level];
  list.forEach((v, i) => {
    const isComment = v instanceof Comment;
    if (isComment) level.push(v.value);
    list[i] = walkValue(v, path, stack, onLeaf, true, rules);
    // A value ends the comment run before it (an empty run needs no new array).
    if (!isComment && level.length > 0) stack[stack.length - 1] = level = [];
  });
  return list;
}

function walkBranch(
  branch: TreeBranch,
  path: PathState,
  outer: CommentStack,
  onLeaf: OnLeaf,
  rules: Rules,
): TreeBranch {
  let level: string[] = [];
  const stack: CommentStack = [...outer, level];
  for (const item of branch.items) {
    const key = item.key;
    if (key instanceof Comment) {
      level.push(key.value);
      const out = onLeaf(key, path, stack, false);
      // An encrypted comment comes back as its ENC[…] string: it stays a comment item.
      item.key = typeof out === 'string' ? new Comment(out, key.inline) : out instanceof Comment ? out : key;
      continue;
    }
    const valueIsComment = item.value instanceof Comment;
    if (item.value instanceof Comment) level.push(item.value.value);
    item.value = walkValue(item.value, rules.child(path, key), stack, onLeaf, false, rules);
    if (!valueIsComment && level.length > 0) stack[stack.length - 1] = level = [];
  }
  return branch;
}

function newMac(rules: CryptRules): Hash {
  const hash = createHash('sha512');
  if (rules.macOnlyEncrypted === true) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  return hash;
}

/** A leaf's bytes into the MAC; a string goes in as UTF-8 directly (the same bytes, no copy). */
function addToMac(mac: Hash, leaf: Leaf): void {
  if (typeof leaf === 'string') mac.update(leaf, 'utf8');
  else mac.update(toBytes(leaf));
}

export interface TreeCryptOptions {
  branches: TreeBranches;
  rules: CryptRules;
  key: Uint8Array;
  cipher: ValueCipher;
}

/**
 * Encrypts every leaf the rules select, in place; returns the MAC of the plaintext.
 *
 * One deliberate difference from sops: a comment inside a sequence is encrypted into a sequence
 * item (as sops does), and because every decryptor — sops included — then hashes it like a value,
 * we hash it here too. sops's own encryptor leaves it out, so sops cannot decrypt its own files
 * that have comments in lists (MAC mismatch); ours open in both.
 */
export function encryptTree({ branches, rules, key, cipher }: TreeCryptOptions): string {
  const r = new Rules(rules);
  const mac = newMac(rules);
  const macOnly = rules.macOnlyEncrypted === true;
  const onLeaf: OnLeaf = (leaf, path, stack, inList) => {
    const isComment = leaf instanceof Comment;
    const encrypted = r.shouldEncrypt(path, stack, isComment);
    if (!macOnly || encrypted) {
      if (!isComment || (inList && encrypted)) addToMac(mac, leaf);
    }
    if (!encrypted) return leaf;
    const out = cipher.encrypt(leaf, key, path.aad);
    if (
      isComment &&
      r.spec.unencryptedCommentRegex &&
      compileGoRegex(r.spec.unencryptedCommentRegex).test(out)
    ) {
      throw new Error(
        `Encrypted comment ${JSON.stringify(out)} matches UnencryptedCommentRegex! Make sure that UnencryptedCommentRegex cannot match an encrypted comment.`,
      );
    }
    return out;
  };
  for (const branch of branches) walkBranch(branch, ROOT, [], onLeaf, r);
  return mac.digest('hex').toUpperCase();
}

export interface DecryptTreeResult {
  mac: string;
  /** Comments that looked encrypted but did not decrypt (kept as they were, as sops does). */
  undecryptableComments: string[];
}

/** Decrypts in place and returns the MAC of the resulting plaintext. */
export function decryptTree({ branches, rules, key, cipher }: TreeCryptOptions): DecryptTreeResult {
  const r = new Rules(rules);
  const mac = newMac(rules);
  const macOnly = rules.macOnlyEncrypted === true;
  const undecryptableComments: string[] = [];
  const onLeaf: OnLeaf = (leaf, path, stack) => {
    const isComment = leaf instanceof Comment;
    const encrypted = r.shouldEncrypt(path, stack, isComment);
    let v: Leaf = leaf;
    if (encrypted) {
      if (leaf instanceof Comment) {
        try {
          v = cipher.decrypt(leaf.value, key, path.aad);
        } catch {
          // Probably a comment written in clear by an older sops; keep it.
          undecryptableComments.push(leaf.value);
          v = leaf;
        }
      } else if (typeof leaf === 'string') {
        try {
          v = cipher.decrypt(leaf, key, path.aad);
        } catch (cause) {
          throw new Error(`Could not decrypt value: ${(cause as Error).message}`, { cause });
        }
      } else {
        throw new Error(`Expected encrypted value as string, but got ${goTypeName(leaf)}`);
      }
    }
    if ((!macOnly || encrypted) && !isComment) addToMac(mac, v);
    // As sops: a decrypted comment comes back as a plain (head) comment, so `sops decrypt`
    // prints inline comments above their line; a non-comment result keeps the position.
    if (isComment && !(v instanceof Comment)) return new Comment(String(v), leaf.inline);
    return v;
  };
  for (const branch of branches) walkBranch(branch, ROOT, [], onLeaf, r);
  return { mac: mac.digest('hex').toUpperCase(), undecryptableComments };
}

function goTypeName(value: Leaf): string {
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Uint8Array) return '[]uint8';
  return 'time.Time';
}
