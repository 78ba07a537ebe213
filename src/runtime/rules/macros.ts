/**
 * Macro expansion on the syntax tree (Falco's filter_macro_resolver): every identifier used as a
 * check is replaced by a copy of the macro's tree, recursively; an unknown identifier or a macro
 * that refers to itself is an error at the identifier's position.
 */
import type { Expr, Position } from '../parser/ast.js';

export interface MacroProblem {
  message: string;
  pos: Position;
}

export interface MacroResolution {
  expr: Expr;
  /** Names of the macros substituted (for unused-macro warnings). */
  used: Set<string>;
  /** The first problem, if any. */
  problem?: MacroProblem;
}

/** `lookup` gives the macros visible from here (Falco limits a macro to macros defined before it). */
/**
 * `lookup` gives the macros visible from here (Falco limits a macro to macros defined before it).
 * Trees are never modified: changed paths are copied and macro bodies are shared, so parsed and
 * resolved trees can be cached and reused.
 */
export function resolveMacros(expr: Expr, lookup: (name: string) => Expr | undefined): MacroResolution {
  const used = new Set<string>();
  let problem: MacroProblem | undefined;
  const path: string[] = [];

  const visitAll = (nodes: Expr[]): Expr[] => {
    let out: Expr[] | undefined;
    nodes.forEach((node, i) => {
      const next = visit(node);
      if (next !== node) (out ??= [...nodes])[i] = next;
    });
    return out ?? nodes;
  };

  const visit = (node: Expr): Expr => {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const children = visitAll(node.children);
        return children === node.children ? node : { ...node, children };
      }
      case 'not': {
        const child = visit(node.child);
        return child === node.child ? node : { ...node, child };
      }
      case 'identifier': {
        const macro = lookup(node.name);
        if (macro === undefined) {
          problem ??= { message: `Undefined macro '${node.name}' used in filter.`, pos: node.pos };
          return node;
        }
        if (path.includes(node.name)) {
          problem ??= { message: `reference loop in macro '${node.name}'`, pos: node.pos };
          return node;
        }
        path.push(node.name);
        const expanded = visit(macro);
        path.pop();
        used.add(node.name);
        return expanded;
      }
      case 'binary':
      case 'unary':
      case 'field':
      case 'transformer':
      case 'transformer_list':
      case 'value':
      case 'list':
        return node;
    }
  };

  const result = visit(expr);
  return problem === undefined ? { expr: result, used } : { expr: result, used, problem };
}
