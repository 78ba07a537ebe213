import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../testing/fault-proxy.js';
import type { PeerProcess } from '../../testing/peer-process.js';
import { startAemm } from '../testing/processes.js';
import { ImdsClient } from './client.js';
import { ImdsError } from './errors.js';
import { imdsPaths, lifecycleNotice, rebalanceNotice, scheduledNotices, spotNotice } from './notices.js';

const instanceId = 'i-0abcdef1234567890';
let both: PeerProcess;
let v2Only: PeerProcess;

beforeAll(async () => {
  [both, v2Only] = await Promise.all([
    startAemm({ instanceId }),
    startAemm({ instanceId, imdsv2Only: true, args: ['spot', '-a', 'stop'] }),
  ]);
});
afterAll(async () => {
  await Promise.all([both.stop(), v2Only.stop()]);
});

describe('ImdsClient against ec2-metadata-mock', () => {
  it('reads every notice path AEMM serves and parses it', async () => {
    const client = new ImdsClient({ endpoint: both.url });
    const now = new Date();
    const spot = await client.get(imdsPaths.spot);
    expect(spot.found).toBe(true);
    const notice = spotNotice(spot.found ? spot.body : '', instanceId, now);
    expect(notice).toMatchObject({ kind: 'spot-interruption', id: 'spot-terminate', instanceId });
    // AEMM's default notice ends two minutes after the request, as EC2's does.
    expect((notice.endsAt?.getTime() ?? 0) - now.getTime()).toBeGreaterThan(100_000);
    const rebalance = await client.get(imdsPaths.rebalance);
    expect(rebalanceNotice(rebalance.found ? rebalance.body : '', instanceId).kind).toBe(
      'rebalance-recommendation',
    );
    const scheduled = await client.get(imdsPaths.scheduled);
    const events = scheduledNotices(scheduled.found ? scheduled.body : '', instanceId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'scheduled-maintenance',
      reboot: true,
      id: 'scheduled-instance-event-1234567890abcdef0',
    });
    const lifecycle = await client.get(imdsPaths.lifecycle);
    expect(lifecycleNotice(lifecycle.found ? lifecycle.body : '', instanceId, now)?.kind).toBe(
      'asg-lifecycle-termination',
    );
    expect(client.mode).toBe('v2');
  });

  it('uses the session token flow on an IMDSv2-only instance, and 404 means no notice', async () => {
    const plain = await fetch(`${v2Only.url}${imdsPaths.instanceId}`);
    expect(plain.status).toBe(401);
    const client = new ImdsClient({ endpoint: v2Only.url });
    const id = await client.get(imdsPaths.instanceId);
    expect(id).toEqual({ found: true, body: instanceId });
    const spot = await client.get(imdsPaths.spot);
    expect(spotNotice(spot.found ? spot.body : '', instanceId, new Date()).id).toBe('spot-stop');
    // The spot subcommand serves no scheduled events: 404, an answer, not an error.
    expect(await client.get(imdsPaths.scheduled)).toEqual({ found: false });
  });

  it('retries 5xx answers and resets, reporting each retry', async () => {
    let gets = 0;
    // The first GET gets a 503, the second a connection reset, then the mock answers.
    const proxy = await startFaultProxy({
      target: v2Only.url,
      fault: (request) => {
        if (request.method !== 'GET') return 'pass';
        gets += 1;
        return gets === 1 ? { status: 503 } : gets === 2 ? 'reset' : 'pass';
      },
    });
    const retries: string[] = [];
    const client = new ImdsClient({
      endpoint: proxy.url,
      attempts: 3,
      onRetry: (error) => retries.push(error.reason),
    });
    try {
      expect(await client.get(imdsPaths.instanceId)).toEqual({ found: true, body: instanceId });
      expect(retries).toEqual(['server-error', 'unreachable']);
      expect(gets).toBe(3);
    } finally {
      await proxy.stop();
    }
  });

  it('reports the last failure once the attempts are spent', async () => {
    const proxy = await startFaultProxy({
      target: v2Only.url,
      fault: (request) => (request.method === 'GET' ? { status: 500 } : 'pass'),
    });
    const client = new ImdsClient({ endpoint: proxy.url, attempts: 2 });
    try {
      await expect(client.get(imdsPaths.spot)).rejects.toMatchObject({ reason: 'server-error', status: 500 });
      expect(proxy.requests.filter((r) => r.startsWith('GET'))).toHaveLength(2);
    } finally {
      await proxy.stop();
    }
  });

  it('gives up with a clear error when IMDS is unreachable', async () => {
    const client = new ImdsClient({ endpoint: 'http://127.0.0.1:9', attempts: 2 });
    const error = await client.get(imdsPaths.spot).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImdsError);
    expect(error).toMatchObject({ reason: 'unreachable', code: 'imds-unreachable' });
  });

  it('names the hop-limit problem when the token answer never arrives on an IMDSv2-only instance', async () => {
    const proxy = await startFaultProxy({
      target: v2Only.url,
      fault: (request) => (request.method === 'PUT' ? 'hang' : 'pass'),
    });
    const client = new ImdsClient({ endpoint: proxy.url, timeoutMs: 300 });
    try {
      const error = await client.get(imdsPaths.spot).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'hop-limit', code: 'imds-hop-limit' });
      expect((error as ImdsError).message).toContain('requires IMDSv2');
      expect((error as ImdsError).hint).toContain('httpPutResponseHopLimit: 2');
    } finally {
      await proxy.stop();
    }
  });

  it('falls back to IMDSv1, saying why, when only the token answer is lost', async () => {
    const proxy = await startFaultProxy({
      target: both.url,
      fault: (request) => (request.method === 'PUT' ? 'hang' : 'pass'),
    });
    const fallbacks: ImdsError[] = [];
    const client = new ImdsClient({
      endpoint: proxy.url,
      timeoutMs: 300,
      onFallbackToV1: (e) => fallbacks.push(e),
    });
    try {
      expect(await client.get(imdsPaths.instanceId)).toEqual({ found: true, body: instanceId });
      expect(client.mode).toBe('v1');
      expect(fallbacks).toHaveLength(1);
      expect(fallbacks[0]?.message).toMatch(/hop limit is probably 1/);
      // Once settled on v1, no more token requests.
      const puts = proxy.requests.filter((r) => r.startsWith('PUT')).length;
      await client.get(imdsPaths.spot);
      expect(proxy.requests.filter((r) => r.startsWith('PUT')).length).toBe(puts);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses a token lifetime IMDS would reject', () => {
    expect(() => new ImdsClient({ tokenTtlSeconds: 21_601 })).toThrow(RangeError);
  });
});
