import { readFileSync } from 'node:fs';
import type { Ports } from './components.js';
import { writeFileAtomic } from '../core/files.js';

export const componentNames = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
] as const;
export type ComponentName = (typeof componentNames)[number];

/** What `up` leaves behind for `status` and `down`: the processes and how to reach the cluster. */
export interface ClusterState {
  name: string;
  createdAt: string;
  server: string;
  kubeconfig: string;
  ports: Ports;
  nodes: string[];
  pids: Partial<Record<ComponentName, number>>;
  logs: Partial<Record<ComponentName, string>>;
  watchdogPid?: number;
  ownerPid?: number;
  auditWebhook?: string;
  tokenWebhook?: string;
}

export function readState(file: string): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function writeState(file: string, state: ClusterState): void {
  writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');
}
