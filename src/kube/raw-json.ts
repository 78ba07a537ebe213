import https from 'node:https';
import type { KubeClient } from './client.js';
import { KubeApiError, toKubeError } from './errors.js';

export interface JsonRequest {
  method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** An API path, e.g. `/apis/apps/v1/namespaces/web/deployments/api`. */
  path: string;
  body?: unknown;
  /** Default `application/json`; PATCH needs the patch type (`application/merge-patch+json`). */
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** What is being done, for error messages ("restoring deployment web/api"). */
  doing: string;
}

interface Status {
  message?: string;
  reason?: string;
}

/**
 * One API request in the API's own JSON, without client-node's typed models. The models rename
 * some fields (`exec` is `_exec`, `x-kubernetes-*` are snake_case) and turn timestamps into Dates,
 * so an object read and written back through them is not byte-for-byte what was stored. Code that
 * must put back exactly what it read (a workload spec saved in an annotation) uses this instead.
 * Returns the parsed body; a non-2xx answer throws KubeApiError with the API's status.
 */
export async function requestJson<T = unknown>(client: KubeClient, request: JsonRequest): Promise<T> {
  const cluster = client.config.getCurrentCluster();
  if (cluster === null) throw toKubeError(new Error('no current cluster in the kubeconfig'), request.doing);
  const url = new URL(request.path, cluster.server);
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const options: https.RequestOptions = {
    method: request.method,
    timeout: request.timeoutMs ?? 30_000,
    headers: {
      accept: 'application/json',
      ...(payload === undefined
        ? {}
        : {
            'content-type': request.contentType ?? 'application/json',
            'content-length': Buffer.byteLength(payload),
          }),
    },
  };
  await client.config.applyToHTTPSOptions(options);
  let response: { status: number; text: string };
  try {
    response = await new Promise((resolve, reject) => {
      const outgoing = https.request(url, { ...options, signal: request.signal }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        incoming.on('error', reject);
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  } catch (error) {
    throw toKubeError(error, request.doing);
  }
  let parsed: unknown;
  try {
    parsed = response.text === '' ? undefined : JSON.parse(response.text);
  } catch {
    parsed = undefined;
  }
  if (response.status >= 200 && response.status < 300) return parsed as T;
  const status = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Status;
  throw new KubeApiError({
    message: `${request.doing}: ${status.message ?? (response.text.slice(0, 200) || `HTTP ${response.status}`)}`,
    status: response.status,
    ...(status.reason === undefined ? {} : { reason: status.reason }),
  });
}
