import { describe, expect, it } from 'vitest';
import { IceError } from '../src/errors.js';
import {
  type HostLookup,
  IceServerError,
  parseIceServers,
  parseIceServerUrl,
  resolveIceServers,
} from '../src/gather/ice-servers.js';

const TURN_CREDENTIALS = { username: 'user', credential: 'secret' };

describe('parseIceServerUrl (RFC 7064, RFC 7065)', () => {
  it.each([
    ['stun:example.org', { kind: 'stun', host: 'example.org', port: 3478, transport: 'udp' }],
    ['stun:192.0.2.1:19302', { kind: 'stun', host: '192.0.2.1', port: 19302, transport: 'udp' }],
    ['STUN:Example.ORG', { kind: 'stun', host: 'example.org', port: 3478, transport: 'udp' }],
    ['stuns:example.org', { kind: 'stun', host: 'example.org', port: 5349, transport: 'tls' }],
    ['stun:[2001:DB8::0001]', { kind: 'stun', host: '2001:db8::1', port: 3478, transport: 'udp' }],
    ['stun:[::1]:3479', { kind: 'stun', host: '::1', port: 3479, transport: 'udp' }],
    ['turn:example.org', { kind: 'turn', host: 'example.org', port: 3478, transport: 'udp' }],
    ['turn:example.org?transport=udp', { kind: 'turn', port: 3478, transport: 'udp' }],
    ['turn:example.org:443?transport=tcp', { kind: 'turn', port: 443, transport: 'tcp' }],
    ['turn:[::1]:3478?transport=TCP', { kind: 'turn', host: '::1', transport: 'tcp' }],
    ['turns:example.org', { kind: 'turn', host: 'example.org', port: 5349, transport: 'tls' }],
    ['turns:198.51.100.7:443?transport=tcp', { kind: 'turn', port: 443, transport: 'tls' }],
  ])('%s', (url, expected) => {
    const parsed = parseIceServerUrl(url, TURN_CREDENTIALS);
    expect(parsed).toMatchObject({ ...expected, url });
    if (parsed.kind === 'turn') expect(parsed).toMatchObject(TURN_CREDENTIALS);
  });

  it.each([
    'http://example.org',
    'stun',
    'stun:',
    'stun://example.org',
    'stun:user@example.org',
    'stun:example.org/path',
    'stun:example.org:0',
    'stun:example.org:65536',
    'stun:example.org:12a',
    'stun:example.org:',
    'stun:example.org?transport=udp',
    'stun:2001:db8::1',
    'stun:[2001:db8::1',
    'stun:[192.0.2.1]',
    'stun:[fe80::1%25eth0]',
    'stun:[::1]x',
    'stun:1.2.3.999',
    'stun:-bad-.example',
    'stun:exa_mple.org',
    'turn:example.org?transport=sctp',
    'turn:example.org?foo=bar',
    'turns:example.org?transport=udp',
  ])('rejects %s as a syntax error', (url) => {
    const attempt = () => parseIceServerUrl(url, TURN_CREDENTIALS);
    expect(attempt).toThrow(IceServerError);
    expect(attempt).toThrow(IceError);
    expect(attempt).toThrow(expect.objectContaining({ reason: 'syntax', url }));
  });

  it.each([{}, { username: 'user' }, { credential: 'secret' }])(
    'rejects TURN without both credentials (%o) as InvalidAccessError',
    (credentials) => {
      for (const url of ['turn:example.org', 'turns:example.org']) {
        expect(() => parseIceServerUrl(url, credentials)).toThrow(
          expect.objectContaining({ reason: 'credentials', code: 'ICE_SERVER_CREDENTIALS' }),
        );
      }
      expect(parseIceServerUrl('stun:example.org', credentials).kind).toBe('stun');
    },
  );
});

describe('parseIceServers', () => {
  it('flattens every URL of every server, with each server its credentials', () => {
    const parsed = parseIceServers([
      { urls: 'stun:stun.example.org' },
      {
        urls: ['turn:turn.example.org?transport=tcp', 'turns:turn.example.org'],
        username: 'alice',
        credential: 'pw',
      },
    ]);
    expect(parsed.map((s) => [s.kind, s.transport])).toEqual([
      ['stun', 'udp'],
      ['turn', 'tcp'],
      ['turn', 'tls'],
    ]);
    expect(parsed[2]).toMatchObject({ username: 'alice', credential: 'pw' });
  });

  it('rejects an empty urls list and a bad URL anywhere', () => {
    expect(() => parseIceServers([{ urls: [] }])).toThrow(IceServerError);
    expect(() => parseIceServers([{ urls: ['stun:a.example', 'stun:/'] }])).toThrow(IceServerError);
  });
});

describe('resolveIceServers', () => {
  const lookup: HostLookup = async (hostname) => {
    if (hostname === 'dual.example') {
      return [
        { address: '2001:db8::5', family: 6 },
        { address: '192.0.2.5', family: 4 },
        { address: '192.0.2.6', family: 4 },
      ];
    }
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  };

  it('keeps IP hosts, resolves names to one address per family, reports names that fail', async () => {
    const servers = parseIceServers([
      { urls: ['stun:192.0.2.1', 'stun:dual.example:3479', 'stun:nowhere.example'] },
    ]);
    const { resolved, failed } = await resolveIceServers(servers, lookup);
    expect(resolved.map((s) => s.address)).toEqual([
      { address: '192.0.2.1', port: 3478, family: 'IPv4' },
      { address: '2001:db8::5', port: 3479, family: 'IPv6' },
      { address: '192.0.2.5', port: 3479, family: 'IPv4' },
    ]);
    expect(resolved[1]?.host).toBe('dual.example');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.server.url).toBe('stun:nowhere.example');
    expect(failed[0]?.error).toMatchObject({ reason: 'resolution', code: 'ICE_SERVER_RESOLUTION' });
  });

  it('resolves localhost with the real resolver', async () => {
    const { resolved } = await resolveIceServers(parseIceServers([{ urls: 'stun:localhost' }]));
    expect(resolved.length).toBeGreaterThan(0);
    for (const { address } of resolved) expect(['127.0.0.1', '::1']).toContain(address.address);
  });
});
