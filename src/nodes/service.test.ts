import { describe, expect, it } from 'vitest';
import { formatSeconds, parseDeadline, parseDuration } from './duration.js';
import { instanceIdOf } from './instance.js';
import { parseHeaders, parseListenAddress } from './service.js';

describe('flags', () => {
  it('parses Go-style durations and deadlines, refusing bare numbers', () => {
    expect(parseDuration('110s')).toBe(110_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('120')).toThrow(/110s, 2m or 1m30s/);
    expect(parseDeadline('2m', 1_000).getTime()).toBe(121_000);
    expect(parseDeadline('2026-05-01T10:00:00Z').toISOString()).toBe('2026-05-01T10:00:00.000Z');
    expect(formatSeconds(4_250)).toBe('4.3s');
    expect(formatSeconds(95_000)).toBe('1m35s');
  });

  it('parses listen addresses and headers', () => {
    expect(parseListenAddress(':9092')).toEqual({ host: '0.0.0.0', port: 9092 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('off')).toBeUndefined();
    expect(() => parseListenAddress('9092')).toThrow(/host:port/);
    expect(parseHeaders(['Authorization: Bearer a:b'])).toEqual({ Authorization: 'Bearer a:b' });
    expect(() => parseHeaders(['nope'])).toThrow(/Name: value/);
  });

  it('finds the instance id in the providerID, else the annotation', () => {
    expect(instanceIdOf({ spec: { providerID: 'aws:///us-east-1a/i-0abc123' } })).toBe('i-0abc123');
    expect(instanceIdOf({ metadata: { annotations: { 'chartroom.dev/instance-id': 'i-0def' } } })).toBe(
      'i-0def',
    );
    expect(instanceIdOf({ spec: { providerID: 'kwok://n1' } })).toBeUndefined();
  });
});
