import { ChartroomError, ExitCode } from '../core/errors.js';

/**
 * Errors of the nodes capability. Codes are stable (scripts match on them); the hint says what
 * to change.
 */
export class NodesError extends ChartroomError {}

export function nodeNotFound(node: string): NodesError {
  return new NodesError(`node ${node} does not exist`, {
    code: 'node-not-found',
    exitCode: ExitCode.notFound,
    hint: 'Check the name with `kubectl get nodes` (and the kubeconfig context).',
  });
}
