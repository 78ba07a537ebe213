import { createSecureContext } from 'node:tls';
import { describe, expect, it } from 'vitest';
import {
  ChartroomError,
  ConfigError,
  ExitCode,
  InternalError,
  UsageError,
  toChartroomError,
} from './errors.js';

describe('ChartroomError', () => {
  it('carries code, exit code, hint and cause', () => {
    const cause = new Error('low level');
    const error = new ChartroomError('release is locked', {
      code: 'deploy-locked',
      exitCode: ExitCode.conflict,
      hint: 'Wait for the other deploy.',
      cause,
    });
    expect(error.message).toBe('release is locked');
    expect(error.code).toBe('deploy-locked');
    expect(error.exitCode).toBe(9);
    expect(error.hint).toBe('Wait for the other deploy.');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ChartroomError');
    expect(error.toJSON()).toEqual({
      code: 'deploy-locked',
      message: 'release is locked',
      hint: 'Wait for the other deploy.',
      exitCode: 9,
    });
  });

  it('subclasses keep their stable codes and exit codes', () => {
    expect(new UsageError('bad flag').exitCode).toBe(2);
    expect(new UsageError('bad flag').code).toBe('usage');
    expect(new ConfigError('bad file').exitCode).toBe(3);
    expect(new InternalError('bug').exitCode).toBe(70);
    expect(new InternalError('bug').hint).toMatch(/--debug/);
    expect(new UsageError('x').name).toBe('UsageError');
  });

  it('omits an absent hint from JSON', () => {
    expect(new ChartroomError('m', { code: 'c' }).toJSON()).toEqual({ code: 'c', message: 'm', exitCode: 1 });
  });
});

describe('toChartroomError', () => {
  it('passes ChartroomErrors through', () => {
    const error = new UsageError('x');
    expect(toChartroomError(error)).toBe(error);
  });

  it('maps file system errors to user errors with hints', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: '/nope.yaml' });
    const mapped = toChartroomError(enoent);
    expect(mapped.code).toBe('not-found');
    expect(mapped.exitCode).toBe(4);
    expect(mapped.message).toBe('no such file or directory: /nope.yaml');
    expect(mapped.hint).toBeDefined();
    expect(mapped.cause).toBe(enoent);
    const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES', path: '/root/x' });
    expect(toChartroomError(eacces).exitCode).toBe(ExitCode.permission);
  });

  it("says a folder, or a file in a folder's place, is the user's path at fault", () => {
    // fs.readFile of a folder: the error comes from read() and has no path.
    const eisdir = Object.assign(new Error('EISDIR: illegal operation on a directory, read'), {
      code: 'EISDIR',
      syscall: 'read',
    });
    expect(toChartroomError(eisdir)).toMatchObject({
      message: 'expected a file but found a directory',
      exitCode: ExitCode.usage,
    });
    const enotdir = Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR', syscall: 'open', path: '/f/x' });
    expect(toChartroomError(enotdir)).toMatchObject({
      message: 'a part of the path is a file, not a folder: /f/x',
      exitCode: ExitCode.usage,
    });
    const mkdir = Object.assign(new Error('EEXIST'), { code: 'EEXIST', syscall: 'mkdir', path: '/f' });
    expect(toChartroomError(mkdir)).toMatchObject({
      message: 'expected a folder but found a file: /f',
      exitCode: ExitCode.usage,
    });
    const open = Object.assign(new Error('EEXIST'), { code: 'EEXIST', syscall: 'open', path: '/f' });
    expect(toChartroomError(open).code).toBe('internal');
  });

  it('reports a certificate or key OpenSSL cannot read as a config error, not as a bug', () => {
    let thrown: unknown;
    try {
      createSecureContext({ cert: 'not a certificate', key: 'not a key' });
    } catch (error) {
      thrown = error;
    }
    expect(toChartroomError(thrown)).toMatchObject({
      message: 'not a valid TLS certificate or key: no start line',
      exitCode: ExitCode.config,
    });
  });

  it('reports an unreachable endpoint as a remote error naming it, not as a bug', () => {
    // As the AWS SDK throws it (the socket error itself) and as fetch does (its cause).
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 1,
      $metadata: { attempts: 1 },
    });
    const mapped = toChartroomError(refused);
    expect(mapped.code).toBe('unreachable');
    expect(mapped.exitCode).toBe(ExitCode.remote);
    expect(mapped.message).toBe('could not reach 127.0.0.1:1: ECONNREFUSED');
    expect(mapped.hint).toMatch(/proxy/);
    const unknownHost = Object.assign(new Error('getaddrinfo ENOTFOUND x.invalid'), {
      code: 'ENOTFOUND',
      hostname: 'x.invalid',
    });
    const fetchFailed = new TypeError('fetch failed', { cause: unknownHost });
    expect(toChartroomError(fetchFailed).message).toBe('could not reach x.invalid: ENOTFOUND');
    expect(toChartroomError(fetchFailed).cause).toBe(fetchFailed);
  });

  it('reports an AWS service error with its name, and whose side the fault is on', () => {
    const denied = Object.assign(new Error('User is not authorized to perform: autoscaling:Describe*'), {
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    });
    const mapped = toChartroomError(denied);
    expect(mapped.code).toBe('aws-error');
    expect(mapped.exitCode).toBe(ExitCode.remote);
    expect(mapped.message).toBe(
      'AWS refused the request: AccessDenied: User is not authorized to perform: autoscaling:Describe*',
    );
    expect(mapped.hint).toMatch(/credentials/);
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'Throttling',
      $fault: 'client',
      $metadata: { httpStatusCode: 429 },
    });
    expect(toChartroomError(throttled).hint).toMatch(/try again/);
  });

  it('treats anything else as an internal error', () => {
    const mapped = toChartroomError(new TypeError('undefined is not a function'));
    expect(mapped).toBeInstanceOf(InternalError);
    expect(mapped.exitCode).toBe(70);
    expect(toChartroomError('a string').message).toBe('a string');
  });
});
