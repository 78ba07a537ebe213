/**
 * The previews capability: a namespace, release and URL per git branch. Git hosts' webhooks
 * (GitHub, GitLab, Bitbucket Cloud, a post-receive hook) write what should exist onto preview
 * namespaces; a level-based controller in `chartroom serve` deploys it through the deploy
 * capability, tears it down when the branch goes (or the sweep or the TTL says so), and reports
 * to GitHub Deployments; the dashboard shows it all. `chartroom up` runs the loop locally.
 */
export { previewsPlugin, createPreviewsPlugin, previewsOf } from './plugin.js';
export type { PreviewsServer } from './server.js';
export { loadPreviewsConfig, type PreviewsConfig, type PreviewsConfigInput } from './config.js';
export {
  checkTemplates,
  previewNames,
  previewLabel,
  type NameTemplates,
  type PreviewNames,
} from './naming.js';
export { installPostReceiveHook, type HookOptions } from './hook.js';
export { listClusterPreviews, requestPreviewDeletion, type PreviewListing } from './operations.js';
export { up, type UpHandle, type UpOptions } from './up.js';
export { formatDuration, parseDuration } from './duration.js';
export type { PreviewDeployer, PreviewDeployOutcome, PreviewDeployRequest } from './deployer.js';
export type { PreviewRow, Run, RunTimings } from './records.js';
export { previewAnnotations, previewLabels, type PreviewState } from './state.js';
