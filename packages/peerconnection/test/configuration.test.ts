import type { UdpMux } from '@typertc/ice';
import { beforeAll, describe, expect, it } from 'vitest';
import { RTCCertificate } from '../src/certificate.js';
import {
  configurationView,
  type NormalizedConfiguration,
  normalizeConfiguration,
  type RTCConfiguration,
  updateConfiguration,
} from '../src/configuration.js';
import {
  invalidAccessError,
  invalidModificationError,
  invalidStateError,
  notSupportedError,
  operationError,
  syntaxError,
} from '../src/errors.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an exception');
}

function expectDomException(action: () => unknown, name: string): void {
  const error = thrown(action);
  expect(error).toBeInstanceOf(DOMException);
  expect((error as DOMException).name).toBe(name);
}

/** The urls array of a server, to mutate it. */
function urlList(server: { urls: string | string[] } | undefined): string[] {
  if (!Array.isArray(server?.urls)) throw new Error('expected a urls array');
  return server.urls;
}

/** A configuration from JavaScript, past the type checker. */
function untyped(value: unknown): RTCConfiguration {
  return value as RTCConfiguration;
}

const STUN = { urls: 'stun:stun.example.org' };
const TURN = {
  urls: ['turn:198.51.100.1?transport=tcp', 'turns:turn.example.org'],
  username: 'user',
  credential: 'secret',
};

let certificate: RTCCertificate;
let other: RTCCertificate;

beforeAll(async () => {
  [certificate, other] = await Promise.all([
    RTCCertificate.generate({ name: 'ECDSA', namedCurve: 'P-256' }),
    RTCCertificate.generate({ name: 'ECDSA', namedCurve: 'P-256' }),
  ]);
});

describe('errors', () => {
  it('builds DOMExceptions with the W3C names', () => {
    const cases: [DOMException, string][] = [
      [invalidStateError('a'), 'InvalidStateError'],
      [invalidAccessError('b'), 'InvalidAccessError'],
      [invalidModificationError('c'), 'InvalidModificationError'],
      [operationError('d'), 'OperationError'],
      [notSupportedError('e'), 'NotSupportedError'],
      [syntaxError('f'), 'SyntaxError'],
    ];
    for (const [error, name] of cases) {
      expect(error).toBeInstanceOf(DOMException);
      expect(error.name).toBe(name);
    }
    expect(invalidStateError('closed').message).toBe('closed');
  });
});

describe('normalizeConfiguration', () => {
  it('fills in the defaults, with max-bundle for the bundle policy', () => {
    for (const config of [undefined, {}, untyped(null)]) {
      const normalized = normalizeConfiguration(config);
      expect(normalized.iceServers).toEqual([]);
      expect(normalized.iceServerUrls).toEqual([]);
      expect(normalized.iceTransportPolicy).toBe('all');
      expect(normalized.bundlePolicy).toBe('max-bundle');
      expect(normalized.rtcpMuxPolicy).toBe('require');
      expect(normalized.certificates).toEqual([]);
      expect(normalized.iceCandidatePoolSize).toBe(0);
      expect(normalized.udpMux).toBeUndefined();
    }
  });

  it('keeps the values given and parses the ICE server URLs', () => {
    const normalized = normalizeConfiguration({
      iceServers: [STUN, TURN],
      iceTransportPolicy: 'relay',
      bundlePolicy: 'balanced',
      rtcpMuxPolicy: 'require',
      certificates: [certificate],
      iceCandidatePoolSize: 255,
    });
    expect(normalized.iceServers).toEqual([STUN, TURN]);
    expect(normalized.iceTransportPolicy).toBe('relay');
    expect(normalized.bundlePolicy).toBe('balanced');
    expect(normalized.certificates).toEqual([certificate]);
    expect(normalized.iceCandidatePoolSize).toBe(255);
    expect(
      normalized.iceServerUrls.map((url) => [url.kind, url.host, url.port, url.transport]),
    ).toEqual([
      ['stun', 'stun.example.org', 3478, 'udp'],
      ['turn', '198.51.100.1', 3478, 'tcp'],
      ['turn', 'turn.example.org', 5349, 'tls'],
    ]);
  });

  it('copies the input, so later changes to it do not leak in', () => {
    const servers = [{ urls: ['stun:a.example.org'] }];
    const certificates = [certificate];
    const normalized = normalizeConfiguration({ iceServers: servers, certificates });
    urlList(servers[0]).push('stun:b.example.org');
    servers.push({ urls: ['stun:c.example.org'] });
    certificates.push(other);
    expect(normalized.iceServers).toEqual([{ urls: ['stun:a.example.org'] }]);
    expect(normalized.certificates).toEqual([certificate]);
  });

  it('throws TypeError for an unknown enum value', () => {
    for (const config of [
      { iceTransportPolicy: 'none' },
      { iceTransportPolicy: 'RELAY' },
      { bundlePolicy: 'max_bundle' },
      { rtcpMuxPolicy: 'negotiate' },
    ]) {
      expect(() => normalizeConfiguration(untyped(config))).toThrow(TypeError);
    }
  });

  it('throws TypeError for an iceCandidatePoolSize outside 0..255 or not an integer', () => {
    for (const size of [-1, 256, 1.5, Number.NaN, '3']) {
      expect(() => normalizeConfiguration(untyped({ iceCandidatePoolSize: size }))).toThrow(
        TypeError,
      );
    }
    expect(normalizeConfiguration({ iceCandidatePoolSize: 0 }).iceCandidatePoolSize).toBe(0);
  });

  it('throws TypeError for malformed members', () => {
    for (const config of [
      42,
      { iceServers: STUN },
      { iceServers: [null] },
      { iceServers: [{ username: 'u' }] },
      { certificates: [{ expires: 0 }] },
      { certificates: certificate },
      { udpMux: 7 },
    ]) {
      expect(() => normalizeConfiguration(untyped(config))).toThrow(TypeError);
    }
  });

  it('throws SyntaxError for an empty urls list or a malformed or unknown URL', () => {
    for (const urls of [
      [],
      'http://example.org',
      'stun:',
      'stun:example.org:99999',
      'stun://example.org',
      'stun:example.org?transport=udp',
      'turn:[::1',
      ['stun:ok.example.org', 'bogus'],
    ]) {
      expectDomException(
        () => normalizeConfiguration({ iceServers: [{ urls, username: 'u', credential: 'c' }] }),
        'SyntaxError',
      );
    }
  });

  it('throws InvalidAccessError for a TURN URL without username or credential', () => {
    for (const server of [
      { urls: 'turn:turn.example.org' },
      { urls: 'turn:turn.example.org', username: 'u' },
      { urls: ['turns:turn.example.org'], credential: 'c' },
    ]) {
      expectDomException(
        () => normalizeConfiguration({ iceServers: [STUN, server] }),
        'InvalidAccessError',
      );
    }
  });

  it('throws InvalidAccessError for an expired certificate', () => {
    const expired = RTCCertificate.fromDtlsCertificate({
      ...certificate.dtlsCertificate,
      notAfter: new Date(Date.now() - 1000),
    });
    expectDomException(
      () => normalizeConfiguration({ certificates: [certificate, expired] }),
      'InvalidAccessError',
    );
  });
});

describe('updateConfiguration', () => {
  let current: NormalizedConfiguration;
  beforeAll(() => {
    current = normalizeConfiguration({
      iceServers: [STUN],
      iceTransportPolicy: 'relay',
      certificates: [certificate],
      iceCandidatePoolSize: 2,
    });
  });

  it('replaces the whole configuration: absent members take their defaults', () => {
    const updated = updateConfiguration(current, { iceServers: [TURN] }, false);
    expect(updated.iceServers).toEqual([TURN]);
    expect(updated.iceServerUrls).toHaveLength(2);
    expect(updated.iceTransportPolicy).toBe('all');
    expect(updated.iceCandidatePoolSize).toBe(0);
    expect(updated.bundlePolicy).toBe('max-bundle');
    expect(updated.rtcpMuxPolicy).toBe('require');
    expect(updateConfiguration(current, {}, false).iceServers).toEqual([]);
  });

  it('keeps the current certificates when none are given, and accepts the same ones', () => {
    expect(updateConfiguration(current, {}, false).certificates).toEqual([certificate]);
    const same = updateConfiguration(
      current,
      { certificates: [certificate], iceCandidatePoolSize: 2 },
      true,
    );
    expect(same.certificates).toEqual([certificate]);
  });

  it('throws InvalidModificationError for different certificates', () => {
    const two = normalizeConfiguration({ certificates: [certificate, other] });
    for (const [from, certificates] of [
      [current, [other]],
      [current, []],
      [current, [certificate, other]],
      [two, [other, certificate]],
    ] as const) {
      expectDomException(
        () => updateConfiguration(from, { certificates: [...certificates] }, false),
        'InvalidModificationError',
      );
    }
  });

  it('throws InvalidModificationError for a different bundlePolicy, also by omission', () => {
    expectDomException(
      () => updateConfiguration(current, { bundlePolicy: 'balanced' }, false),
      'InvalidModificationError',
    );
    const balanced = normalizeConfiguration({ bundlePolicy: 'balanced' });
    expectDomException(() => updateConfiguration(balanced, {}, false), 'InvalidModificationError');
    expect(updateConfiguration(balanced, { bundlePolicy: 'balanced' }, true).bundlePolicy).toBe(
      'balanced',
    );
    expect(updateConfiguration(current, { bundlePolicy: 'max-bundle' }, false).bundlePolicy).toBe(
      'max-bundle',
    );
  });

  it('throws InvalidModificationError for a different rtcpMuxPolicy', () => {
    const changed = {
      ...current,
      rtcpMuxPolicy: 'negotiate',
    } as unknown as NormalizedConfiguration;
    expectDomException(
      () => updateConfiguration(changed, { rtcpMuxPolicy: 'require' }, false),
      'InvalidModificationError',
    );
    expect(updateConfiguration(current, { rtcpMuxPolicy: 'require' }, false).rtcpMuxPolicy).toBe(
      'require',
    );
  });

  it('changes iceCandidatePoolSize only before a local description is set', () => {
    expect(
      updateConfiguration(current, { iceCandidatePoolSize: 5 }, false).iceCandidatePoolSize,
    ).toBe(5);
    expectDomException(
      () => updateConfiguration(current, { iceCandidatePoolSize: 5 }, true),
      'InvalidModificationError',
    );
    // Absent means the default, 0, which differs from the current 2.
    expectDomException(() => updateConfiguration(current, {}, true), 'InvalidModificationError');
    expect(
      updateConfiguration(current, { iceCandidatePoolSize: 2 }, true).iceCandidatePoolSize,
    ).toBe(2);
  });

  it('keeps the udpMux when absent and refuses a different one', () => {
    const mux = {} as unknown as UdpMux;
    const withMux = normalizeConfiguration({ udpMux: mux });
    expect(withMux.udpMux).toBe(mux);
    expect(updateConfiguration(withMux, {}, true).udpMux).toBe(mux);
    expect(updateConfiguration(withMux, { udpMux: mux }, true).udpMux).toBe(mux);
    expectDomException(
      () => updateConfiguration(withMux, { udpMux: {} as unknown as UdpMux }, false),
      'InvalidModificationError',
    );
  });

  it('validates the new configuration like the constructor', () => {
    expect(() =>
      updateConfiguration(current, untyped({ iceTransportPolicy: 'some' }), false),
    ).toThrow(TypeError);
    expectDomException(
      () => updateConfiguration(current, { iceServers: [{ urls: 'turn:x.example.org' }] }, false),
      'InvalidAccessError',
    );
    expectDomException(
      () => updateConfiguration(current, { iceServers: [{ urls: 'ftp://x' }] }, false),
      'SyntaxError',
    );
  });
});

describe('configurationView', () => {
  it('returns every member, as copies', () => {
    const normalized = normalizeConfiguration({
      iceServers: [STUN, TURN],
      certificates: [certificate],
      iceCandidatePoolSize: 1,
    });
    const view = configurationView(normalized);
    expect(view).toEqual({
      iceServers: [STUN, TURN],
      iceTransportPolicy: 'all',
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      certificates: [certificate],
      iceCandidatePoolSize: 1,
    });
    expect(view.iceServers).not.toBe(normalized.iceServers);
    expect(view.certificates).not.toBe(normalized.certificates);
    urlList(view.iceServers?.[1]).push('stun:extra.example.org');
    view.iceServers?.push(STUN);
    view.certificates?.pop();
    expect(normalized.iceServers).toEqual([STUN, TURN]);
    expect(normalized.certificates).toEqual([certificate]);
    expect(configurationView(normalized)).toEqual({
      ...view,
      iceServers: [STUN, TURN],
      certificates: [certificate],
    });
  });

  it('includes the udpMux when there is one', () => {
    const mux = {} as unknown as UdpMux;
    expect(configurationView(normalizeConfiguration({ udpMux: mux })).udpMux).toBe(mux);
  });
});
