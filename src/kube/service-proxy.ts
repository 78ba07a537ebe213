import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { KubeClient } from './client.js';
import { toKubeError } from './errors.js';

export interface ServiceProxyRequest {
  namespace: string;
  /** `name`, or `name:port` (a port name or number). */
  service: string;
  /** The path and query to request from the Service, starting with `/`. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: Readable;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Sends one HTTP request to a Service through the API server's service proxy
 * (`/api/v1/namespaces/<ns>/services/<name>/proxy/<path>`), with the kubeconfig's credentials,
 * and returns the streaming response. Used where no ingress exists (local clusters); the caller
 * needs `services/proxy` permission.
 */
export async function requestServiceProxy(
  client: KubeClient,
  request: ServiceProxyRequest,
): Promise<IncomingMessage> {
  const cluster = client.config.getCurrentCluster();
  if (cluster === null)
    throw toKubeError(new Error('no current cluster in the kubeconfig'), 'proxying to a Service');
  const base = `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/services/${encodeURIComponent(request.service)}/proxy`;
  const url = new URL(base + request.path, cluster.server);
  const options: https.RequestOptions = {
    method: request.method,
    headers: { ...request.headers },
    timeout: request.timeoutMs ?? 30_000,
  };
  await client.config.applyToHTTPSOptions(options);
  try {
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = https.request(url, { ...options, signal: request.signal }, resolve);
      outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
      outgoing.on('error', reject);
      if (request.body === undefined) outgoing.end();
      else request.body.pipe(outgoing);
    });
  } catch (error) {
    throw toKubeError(error, `proxying to service ${request.namespace}/${request.service}`);
  }
}
