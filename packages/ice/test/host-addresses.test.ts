import { describe, expect, it } from 'vitest';
import { hostAddresses, type InterfaceAddress } from '../src/gather/host-addresses.js';

const INTERFACES: Record<string, InterfaceAddress[]> = {
  lo: [
    { address: '127.0.0.1', family: 'IPv4', internal: true },
    { address: '::1', family: 'IPv6', internal: true },
  ],
  eth0: [
    { address: '192.0.2.10', family: 'IPv4', internal: false },
    { address: '2001:db8::10', family: 'IPv6', internal: false },
    { address: 'fe80::10%eth0', family: 'IPv6', internal: false },
    { address: '169.254.7.7', family: 'IPv4', internal: false },
  ],
  docker0: [{ address: '172.17.0.1', family: 4, internal: false }],
  weird: [
    { address: '::ffff:192.0.2.99', family: 'IPv6', internal: false },
    { address: 'fec0::1', family: 'IPv6', internal: false },
    { address: 'not-an-address', family: 'IPv4', internal: false },
    { address: '10.0.0.1', family: 'AF_UNKNOWN', internal: false },
  ],
  eth1: [{ address: '192.0.2.10', family: 'IPv4', internal: false }],
};

const addresses = (options = {}) => hostAddresses(INTERFACES, options).map((a) => a.address);

describe('hostAddresses (RFC 8445 §5.1.1.1)', () => {
  it('by default: every usable non-loopback, non-link-local address, once', () => {
    expect(addresses()).toEqual(['192.0.2.10', '2001:db8::10', '172.17.0.1']);
  });

  it('adds loopback and link-local when asked, stripping zone ids', () => {
    expect(addresses({ includeLoopback: true, includeLinkLocal: true })).toEqual([
      '127.0.0.1',
      '::1',
      '192.0.2.10',
      '2001:db8::10',
      'fe80::10',
      '169.254.7.7',
      '172.17.0.1',
    ]);
    const linkLocal = hostAddresses(INTERFACES, { includeLinkLocal: true }).find(
      (a) => a.address === 'fe80::10',
    );
    expect(linkLocal).toMatchObject({
      interfaceName: 'eth0',
      family: 'IPv6',
      linkLocal: true,
      loopback: false,
    });
  });

  it('never IPv4-mapped or site-local IPv6, nor what is not an address', () => {
    expect(
      addresses({ interfaces: ['weird'], includeLinkLocal: true, includeLoopback: true }),
    ).toEqual([]);
  });

  it('filters by interface name and family', () => {
    expect(addresses({ interfaces: ['eth0'] })).toEqual(['192.0.2.10', '2001:db8::10']);
    expect(addresses({ excludeInterfaces: ['docker0'] })).toEqual(['192.0.2.10', '2001:db8::10']);
    expect(addresses({ families: ['IPv6'] })).toEqual(['2001:db8::10']);
    expect(addresses({ families: ['IPv4'], includeLoopback: true })).toEqual([
      '127.0.0.1',
      '192.0.2.10',
      '172.17.0.1',
    ]);
  });
});
