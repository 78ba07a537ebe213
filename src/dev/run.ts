/**
 * `chartroom dev`: the app's environment from the cluster, forwards to its dependencies, the
 * environment rewritten to use them, optionally a swap that sends the cluster's traffic for the
 * app here, and the developer's command run with all that. Whatever happens (the command exits,
 * Ctrl-C, SIGTERM, an error) the swap is restored and the forwards closed before returning.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import { formatEnv, type EnvFormat } from './env/format.js';
import { rewriteEnv, type EnvChange } from './env/rewrite.js';
import type { EnvEntry } from './env/resolve.js';
import { openForwards, type ForwardStatus } from './forward/forwards.js';
import type { ForwardEvent } from './forward/listener.js';
import { prepareDev, type PrepareOptions } from './prepare.js';
import { runCommand } from './runner.js';
import type { RestoreOutcome } from './swap/restore.js';
import { defaultRelayImage } from './swap/relay-spec.js';
import { startSwap, type ActiveSwap, type SwapEvent } from './swap/session.js';
import { untilAborted } from '../core/abort.js';

export type DevEvent =
  | {
      type: 'target';
      namespace: string;
      workload: string;
      container: string;
      pod: string | undefined;
      preview: string | undefined;
    }
  | { type: 'note'; message: string }
  | { type: 'forward'; forward: ForwardStatus }
  | ForwardEvent
  | { type: 'env-changed'; change: EnvChange }
  | { type: 'swap'; event: SwapEvent }
  | { type: 'swap-ready'; seconds: number; routes: { port: number; localPort: number }[] }
  | { type: 'ready'; seconds: number; forwards: number; envFile: string | undefined }
  | { type: 'started'; pid: number; seconds: number }
  | { type: 'restored'; outcome: RestoreOutcome };

export interface DevRunOptions extends PrepareOptions {
  /** The command to run; empty: keep the forwards (and swap) until interrupted. */
  command: readonly string[];
  swap: boolean;
  relayImage?: string;
  leaseDurationSeconds?: number;
  /** `--expose remote:local`: where each relayed port goes locally. */
  expose?: ReadonlyMap<number, number>;
  readyTimeoutMs?: number;
  /** `--local-port`: local ports asked for, by `service` or `service:port`. */
  localPorts?: ReadonlyMap<string, number>;
  /** Write the rewritten environment here while the session runs (mode 0600, removed after). */
  envFile?: string;
  envFileFormat?: EnvFormat;
  processEnv: NodeJS.ProcessEnv;
  signal: AbortSignal;
  graceMs?: number;
  onEvent: (event: DevEvent) => void;
}

export interface DevRunResult {
  exitCode: number;
  restore: RestoreOutcome | undefined;
}

function apiServerOf(server: string): { host: string; port: number } | undefined {
  try {
    const url = new URL(server);
    return {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)),
    };
  } catch {
    return undefined;
  }
}

function asProcessEnv(entries: readonly EnvEntry[]): Record<string, string> {
  return Object.fromEntries(entries.map((entry) => [entry.name, entry.value]));
}

function stopReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return `interrupted (${reason instanceof Error ? reason.message : String(reason)})`;
}

export async function runDev(options: DevRunOptions): Promise<DevRunResult> {
  const started = performance.now();
  const seconds = (): number => Math.round(performance.now() - started) / 1000;
  const emit = options.onEvent;
  const { target, workload, env, plan } = await prepareDev(options);
  emit({
    type: 'target',
    namespace: target.namespace,
    workload: `${workload.ref.kind}/${workload.ref.name}`,
    container: workload.container.name,
    pod: workload.pod?.metadata?.name,
    preview: target.previewBranch,
  });
  for (const message of plan.notes) emit({ type: 'note', message });

  const forwards = await openForwards({
    kube: target.kube,
    targets: plan.forwards,
    ...(options.localPorts === undefined ? {} : { pinned: options.localPorts }),
    onEvent: emit,
    signal: options.signal,
  });
  let swap: ActiveSwap | undefined;
  let restore: RestoreOutcome | undefined;
  let envFile: string | undefined;
  let endReason = 'the session ended';
  try {
    for (const forward of forwards.status()) emit({ type: 'forward', forward });
    const rewritten = rewriteEnv({
      env,
      namespace: target.namespace,
      plan,
      localPorts: forwards.localPorts,
      apiServer: apiServerOf(target.kube.server),
    });
    for (const message of rewritten.warnings) emit({ type: 'note', message });
    for (const change of rewritten.changes) emit({ type: 'env-changed', change });

    if (options.swap) {
      swap = await startSwap({
        kube: target.kube,
        workload,
        relayImage: options.relayImage ?? defaultRelayImage,
        leaseDurationSeconds: options.leaseDurationSeconds ?? 30,
        expose: options.expose ?? new Map(),
        readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
        onEvent: (event) => {
          emit({ type: 'swap', event });
        },
        signal: options.signal,
      });
    }
    if (options.envFile !== undefined) {
      envFile = resolve(options.cwd, options.envFile);
      const text = formatEnv(rewritten.env, {
        format: options.envFileFormat ?? 'dotenv',
        showSecrets: true,
      }).text;
      writeFileAtomic(envFile, text, { mode: 0o600 });
    }
    emit({ type: 'ready', seconds: seconds(), forwards: forwards.forwards.length, envFile });

    // The command starts while the relay rolls out, so it is listening when traffic arrives.
    const swapReady = swap?.ready.then(() => {
      emit({ type: 'swap-ready', seconds: seconds(), routes: swap?.routes ?? [] });
    });
    const stopOnSwapFailure = new AbortController();
    let swapError: Error | undefined;
    swapReady?.catch((error: unknown) => {
      swapError = error instanceof Error ? error : new Error(String(error));
      stopOnSwapFailure.abort(new Error('received SIGTERM'));
    });
    const stop = AbortSignal.any([options.signal, stopOnSwapFailure.signal]);

    let exitCode = 0;
    if (options.command.length > 0) {
      const exit = await runCommand({
        command: options.command,
        env: { ...options.processEnv, ...asProcessEnv(rewritten.env) },
        cwd: options.cwd,
        signal: stop,
        ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
        onStart: (pid) => {
          emit({ type: 'started', pid, seconds: seconds() });
        },
      });
      exitCode = exit.exitCode;
      endReason = options.signal.aborted ? stopReason(options.signal) : `the command exited (${exitCode})`;
    } else {
      await untilAborted(stop);
      endReason = options.signal.aborted ? stopReason(options.signal) : 'the relay failed';
    }
    if (swapError !== undefined) throw swapError;
    return { exitCode, restore: await endSwap() };
  } catch (error) {
    endReason = `an error: ${error instanceof Error ? error.message : String(error)}`;
    await endSwap().catch(() => undefined);
    throw error;
  } finally {
    if (envFile !== undefined) rmSync(envFile, { force: true });
    await forwards.close();
  }

  async function endSwap(): Promise<RestoreOutcome | undefined> {
    if (swap === undefined) return undefined;
    restore ??= await swap.end(endReason);
    emit({ type: 'restored', outcome: restore });
    return restore;
  }
}
