/**
 * The syntax tree of a Falco condition (libsinsp filter language). The node kinds and their
 * printed form follow libsinsp's `filter/ast.h`, so conditions explained by Chartroom read the way
 * Falco users know them from `falco --describe-rule`.
 */
import { escapeString } from './escaping.js';

/** Where a node starts: 0-based character offset, 1-based line and column. */
export interface Position {
  idx: number;
  line: number;
  col: number;
}

/**
 * Maps a node's offset back to the file it was written in. Set by the rules loader, so that a node
 * spliced from a macro into a rule still reports the macro's file and line.
 */
export type Origin = (idx: number) => { file: string; line: number; col: number } | undefined;

export interface AndExpr {
  kind: 'and';
  children: Expr[];
  pos: Position;
  origin?: Origin;
}
export interface OrExpr {
  kind: 'or';
  children: Expr[];
  pos: Position;
  origin?: Origin;
}
export interface NotExpr {
  kind: 'not';
  child: Expr;
  pos: Position;
  origin?: Origin;
}
/** A bare word used as a whole check: a macro reference. */
export interface IdentifierExpr {
  kind: 'identifier';
  name: string;
  pos: Position;
  origin?: Origin;
}
export interface ValueExpr {
  kind: 'value';
  value: string;
  pos: Position;
  origin?: Origin;
}
export interface ListExpr {
  kind: 'list';
  values: string[];
  pos: Position;
  origin?: Origin;
}
/** The parenthesised argument list of a multi-value transformer such as `join("-", (a.b, c.d))`. */
export interface TransformerListExpr {
  kind: 'transformer_list';
  children: Expr[];
  pos: Position;
  origin?: Origin;
}
export interface FieldExpr {
  kind: 'field';
  field: string;
  /** `undefined` when no `[...]` was written; `''` for an explicit empty `[""]`. */
  arg: string | undefined;
  pos: Position;
  origin?: Origin;
}
export interface TransformerExpr {
  kind: 'transformer';
  transformer: string;
  values: Expr[];
  arg: string | undefined;
  pos: Position;
  origin?: Origin;
}
export interface UnaryCheckExpr {
  kind: 'unary';
  left: Expr;
  op: string;
  pos: Position;
  origin?: Origin;
}
export interface BinaryCheckExpr {
  kind: 'binary';
  left: Expr;
  /** The operator as written, trimmed; with a modifier: `== oneof`, `startswith anyof`. */
  op: string;
  right: Expr;
  pos: Position;
  origin?: Origin;
}

export type Expr =
  | AndExpr
  | OrExpr
  | NotExpr
  | IdentifierExpr
  | ValueExpr
  | ListExpr
  | TransformerListExpr
  | FieldExpr
  | TransformerExpr
  | UnaryCheckExpr
  | BinaryCheckExpr;

function argSuffix(arg: string | undefined): string {
  if (arg === undefined) return '';
  return arg === '' ? '[""]' : `[${escapeString(arg)}]`;
}

/** Prints a node the way libsinsp's `as_string` does (fully parenthesised boolean operators). */
export function asString(expr: Expr): string {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return `(${expr.children.map(asString).join(` ${expr.kind} `)})`;
    case 'not':
      return `not ${asString(expr.child)}`;
    case 'identifier':
      return expr.name;
    case 'value':
      return escapeString(expr.value);
    case 'list':
      return `(${expr.values.map(escapeString).join(', ')})`;
    case 'transformer_list':
      return `(${expr.children.map(asString).join(',')})`;
    case 'field':
      return expr.field + argSuffix(expr.arg);
    case 'transformer':
      return `${expr.transformer}(${expr.values.map(asString).join(',')})${argSuffix(expr.arg)}`;
    case 'unary':
      return `${asString(expr.left)} ${expr.op}`;
    case 'binary':
      return `${asString(expr.left)} ${expr.op} ${asString(expr.right)}`;
  }
}

/** A deep copy, so that macro bodies can be spliced into several rules without sharing nodes. */
export function cloneExpr(expr: Expr): Expr {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return { ...expr, children: expr.children.map(cloneExpr) };
    case 'not':
      return { ...expr, child: cloneExpr(expr.child) };
    case 'list':
      return { ...expr, values: [...expr.values] };
    case 'transformer_list':
      return { ...expr, children: expr.children.map(cloneExpr) };
    case 'transformer':
      return { ...expr, values: expr.values.map(cloneExpr) };
    case 'unary':
      return { ...expr, left: cloneExpr(expr.left) };
    case 'binary':
      return { ...expr, left: cloneExpr(expr.left), right: cloneExpr(expr.right) };
    case 'identifier':
    case 'value':
    case 'field':
      return { ...expr };
  }
}
