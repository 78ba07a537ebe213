/**
 * Label selector matching as the API server does it (metav1.LabelSelector): every matchLabels
 * pair and every expression must hold, and an empty selector matches everything. Used where
 * Chartroom reasons about selectors without asking the server: manifests on disk (policy) and the
 * budgets covering a pod during a drain (nodes).
 */
export interface LabelSelectorLike {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

export function labelSelectorMatches(
  selector: LabelSelectorLike,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key] ?? '';
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator the API server would have refused: match nothing rather than guess.
        return false;
    }
  }
  return true;
}
