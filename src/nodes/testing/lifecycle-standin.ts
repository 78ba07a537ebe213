/**
 * A STAND-IN for the two Auto Scaling actions moto does not implement, CompleteLifecycleAction
 * and RecordLifecycleActionHeartbeat, for tests only. It sits in front of moto's server: every
 * other Auto Scaling call is passed through to moto unchanged, so groups and hooks are real moto
 * state. For the two actions it checks what AWS checks: a valid SigV4 signature by a known key,
 * the group and the hook exist (asked of moto), the token belongs to a pending lifecycle action
 * of that group, hook and instance, and the result is CONTINUE or ABANDON. It answers in the Auto
 * Scaling Query API's XML, with AWS's error codes.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort } from '../../core/net.js';

export interface PendingAction {
  group: string;
  hook: string;
  token: string;
  instanceId: string;
}

export interface Completion extends PendingAction {
  result: 'CONTINUE' | 'ABANDON';
  at: number;
}

export interface LifecycleStandInOptions {
  /** moto's server, which holds the groups and hooks and answers every other call. */
  motoUrl: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** Runs before a completion is answered (tests look at the cluster at that very moment). */
  onComplete?: (completion: Completion) => Promise<void>;
}

const xmlns = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

export class LifecycleStandIn {
  readonly completions: Completion[] = [];
  readonly heartbeats: PendingAction[] = [];
  /** Every refused call with AWS's error code, so tests can prove the checks bite. */
  readonly refusals: { action: string; code: string; message: string }[] = [];
  private readonly pending: PendingAction[] = [];
  private readonly moto: AutoScalingClient;
  private server: Server | undefined;
  url = '';

  constructor(private readonly options: LifecycleStandInOptions) {
    this.moto = new AutoScalingClient({
      region: options.region,
      endpoint: options.motoUrl,
      credentials: options.credentials,
    });
  }

  /** A lifecycle action the ASG is waiting on, as if it had just put the instance in Terminating:Wait. */
  expect(action: PendingAction): void {
    this.pending.push(action);
  }

  async start(): Promise<string> {
    const port = await freePort();
    this.server = createServer((request, response) => {
      this.serve(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.moto.destroy();
    await new Promise<void>((resolve) => {
      if (this.server === undefined) resolve();
      else
        this.server.close(() => {
          resolve();
        });
      this.server?.closeAllConnections();
    });
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    if (action !== 'CompleteLifecycleAction' && action !== 'RecordLifecycleActionHeartbeat') {
      await this.forward(request, body, response);
      return;
    }
    const fail = (status: number, code: string, message: string): void => {
      this.refusals.push({ action, code, message });
      response
        .writeHead(status, { 'Content-Type': 'text/xml' })
        .end(
          `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
    };
    const signature = await this.checkSignature(request, body);
    if (signature !== undefined) {
      fail(403, signature.code, signature.message);
      return;
    }
    const group = params.get('AutoScalingGroupName') ?? '';
    const hook = params.get('LifecycleHookName') ?? '';
    const token = params.get('LifecycleActionToken');
    const instanceId = params.get('InstanceId');
    if (group === '' || hook === '') {
      fail(400, 'ValidationError', 'AutoScalingGroupName and LifecycleHookName are required');
      return;
    }
    if (token === null && instanceId === null) {
      fail(400, 'ValidationError', 'Either LifecycleActionToken or InstanceId must be given');
      return;
    }
    const groups = await this.moto.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }),
    );
    if ((groups.AutoScalingGroups ?? []).length === 0) {
      fail(400, 'ValidationError', `AutoScalingGroup name not found - ${group}`);
      return;
    }
    const hooks = await this.moto.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: group }));
    if (!(hooks.LifecycleHooks ?? []).some((h) => h.LifecycleHookName === hook)) {
      fail(400, 'ValidationError', `No Lifecycle Hook found with name ${hook} for group ${group}`);
      return;
    }
    const index = this.pending.findIndex(
      (p) =>
        p.group === group &&
        p.hook === hook &&
        (token === null || p.token === token) &&
        (instanceId === null || p.instanceId === instanceId),
    );
    const found = this.pending[index];
    if (found === undefined) {
      fail(400, 'ValidationError', `No active Lifecycle Action found with token ${token ?? '(none)'}`);
      return;
    }
    if (action === 'RecordLifecycleActionHeartbeat') {
      this.heartbeats.push(found);
      respond(response, action);
      return;
    }
    const result = params.get('LifecycleActionResult');
    if (result !== 'CONTINUE' && result !== 'ABANDON') {
      fail(
        400,
        'ValidationError',
        `LifecycleActionResult must be CONTINUE or ABANDON, not ${result ?? '(none)'}`,
      );
      return;
    }
    this.pending.splice(index, 1);
    const completion: Completion = { ...found, result, at: Date.now() };
    await this.options.onComplete?.(completion);
    this.completions.push(completion);
    respond(response, action);
  }

  /** Recomputes the SigV4 signature over exactly the headers the caller signed. */
  private async checkSignature(
    request: IncomingMessage,
    body: string,
  ): Promise<{ code: string; message: string } | undefined> {
    const authorization = request.headers.authorization ?? '';
    const match =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    if (match === null)
      return { code: 'IncompleteSignature', message: 'missing or malformed Authorization header' };
    const [, keyId, , region, service, signedHeaders = '', signature] = match;
    if (keyId !== this.options.credentials.accessKeyId) {
      return {
        code: 'InvalidClientTokenId',
        message: 'The security token included in the request is invalid.',
      };
    }
    if (service !== 'autoscaling' || region !== this.options.region) {
      return {
        code: 'SignatureDoesNotMatch',
        message: `credential scope ${region ?? ''}/${service ?? ''} is wrong`,
      };
    }
    const amzDate = String(request.headers['x-amz-date'] ?? '');
    const signedAt = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (signedAt === null) return { code: 'IncompleteSignature', message: 'missing X-Amz-Date' };
    const part = (index: number): number => Number(signedAt[index]);
    const when = new Date(Date.UTC(part(1), part(2) - 1, part(3), part(4), part(5), part(6)));
    if (Math.abs(Date.now() - when.getTime()) > 15 * 60_000) {
      return { code: 'SignatureDoesNotMatch', message: 'Signature expired' };
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) headers[name] = String(request.headers[name] ?? '');
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
    const signer = new SignatureV4({
      credentials: this.options.credentials,
      region,
      service,
      sha256: Sha256,
    });
    const signed = await signer.sign(
      {
        method: request.method ?? 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
      },
      { signingDate: when },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? '')?.[1];
    if (expected !== signature) {
      return {
        code: 'SignatureDoesNotMatch',
        message: 'The request signature we calculated does not match the signature you provided.',
      };
    }
    return undefined;
  }

  private async forward(request: IncomingMessage, body: string, response: ServerResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && name !== 'host' && name !== 'content-length') headers[name] = String(value);
    }
    const answer = await fetch(`${this.options.motoUrl}${request.url ?? '/'}`, {
      method: request.method ?? 'POST',
      headers,
      ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body }),
    });
    response.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'text/xml' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  }
}

function respond(response: ServerResponse, action: string): void {
  response
    .writeHead(200, { 'Content-Type': 'text/xml' })
    .end(
      `<${action}Response xmlns="${xmlns}"><${action}Result/><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
    );
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
