/**
 * The access capability: IAM tokens for kubectl, kubeconfigs, the TokenReview webhook with
 * identity mapping, and time-boxed access requests.
 *
 * Everything here is light to import except where noted: `chartroom access token` runs on every
 * kubectl call, so heavy parts (the signer and AWS SDK, YAML, fastify) load only when used.
 */
import type { AccessServerPluginOptions } from './server.js';

export type { AccessServerPluginOptions } from './server.js';
export { getClusterToken, type GetTokenOptions, type TokenResult } from './token/get-token.js';
export { tokenCacheDir } from './token/cache.js';
export {
  formatExecCredential,
  readExecInfo,
  tokenCommandOutput,
  defaultExecApiVersion,
  type ExecInfo,
} from './token/exec-credential.js';
export type { AwsCredentials, ClusterToken } from './token/presign.js';
export { TokenRejectedError, type TokenRejectionKind } from './verify/errors.js';
export type { CallerIdentity } from './verify/identity.js';
export type { StsTransport, StsResponse, StsRequest } from './verify/sts-transport.js';
export type { MappedUser, MappingConfig } from './mapping/types.js';
export type { ActiveGrant, GrantLookup } from './mapping/mapper.js';
export type { TokenReviewDecision, TokenReviewOptions, TokenReviewReply } from './webhook/token-review.js';
export type { TokenReviewRouteOptions } from './webhook/route.js';
export type { WebhookServerOptions, RunningWebhook } from './webhook/server.js';
export type { AccessLevel, GrantBinding, RbacClient } from './requests/rbac.js';
export type { AccessRequests } from './requests/service.js';
export type {
  AccessRequest,
  AuditEvent,
  ClusterAccessPolicy,
  Principal,
  RequestState,
} from './requests/types.js';
export type { ClusterEntry } from './catalog/catalog.js';
export type { KubeconfigEntries, KubeconfigTarget, ExecSettings } from './kubeconfig/entries.js';
export { parseDuration, formatDuration } from './requests/duration.js';

/** The access plugin of `chartroom serve` (TokenReview route, grants, expiry). */
export const accessServerPlugin = async (options?: AccessServerPluginOptions) =>
  (await import('./server.js')).accessServerPlugin(options);
/** Signing (pulls in @smithy/signature-v4). */
export const signerModule = () => import('./token/presign.js');
/** The verifier and its host allow-list. */
export const verifierModule = () => import('./verify/verifier.js');
/** aws-auth parsing and the identity mapper (pulls in yaml). */
export const mappingModule = async () => ({
  ...(await import('./mapping/aws-auth.js')),
  ...(await import('./mapping/mapper.js')),
  ...(await import('./mapping/watch.js')),
});
/** The TokenReview route for `chartroom serve`, the standalone server, TLS helpers (pulls in fastify). */
export const webhookModule = async () => ({
  ...(await import('./webhook/token-review.js')),
  ...(await import('./webhook/route.js')),
  ...(await import('./webhook/server.js')),
  ...(await import('./webhook/tls.js')),
});
/** Access requests, grants, expiry and audit (needs src/store). */
export const requestsModule = async () => ({
  ...(await import('./requests/service.js')),
  ...(await import('./requests/expiry.js')),
  ...(await import('./requests/caller.js')),
  ...(await import('./requests/rbac.js')),
  ...(await import('./requests/kube-rbac.js')),
});
/** The clusters catalog (pulls in yaml and zod). */
export const catalogModule = () => import('./catalog/catalog.js');
/** kubeconfig entries, merging, EKS lookups. */
export const kubeconfigModule = async () => ({
  ...(await import('./kubeconfig/entries.js')),
  ...(await import('./kubeconfig/merge.js')),
  ...(await import('./kubeconfig/eks.js')),
});
