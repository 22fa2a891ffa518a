/**
 * Which local addresses get host candidates (RFC 8445 §5.1.1.1: "from every interface", minus
 * what the application excludes). A pure function of the interface list, so tests pass their
 * own; the Node adapter passes `os.networkInterfaces()`.
 *
 * Excluded unless asked for: loopback (127/8, ::1) — useless off the machine, though tests on
 * one machine want them; link-local (169.254/16, fe80::/10) — RFC 8445 §5.1.1.1 says they
 * SHOULD NOT be included unless scoped, and peers cannot reach them across links. Always
 * excluded: IPv4-mapped IPv6 addresses (RFC 8445 §5.1.1.1: MUST NOT be used) and the site-local
 * fec0::/10 (deprecated by RFC 3879).
 */

import type { AddressFamily } from '@typertc/common';
import { parseIpAddress } from '@typertc/common';

/** One entry of `os.networkInterfaces()`, the fields used here. */
export interface InterfaceAddress {
  readonly address: string;
  readonly family: AddressFamily | 4 | 6 | string;
  readonly internal: boolean;
}

export interface HostAddressOptions {
  /** Include loopback addresses (127.0.0.0/8, ::1). Default false. */
  readonly includeLoopback?: boolean;
  /** Include link-local addresses (169.254.0.0/16, fe80::/10). Default false. */
  readonly includeLinkLocal?: boolean;
  /** Only these interfaces, by name. Default: all. */
  readonly interfaces?: readonly string[];
  /** Never these interfaces, by name (e.g. `docker0`). */
  readonly excludeInterfaces?: readonly string[];
  /** Address families to gather. Default both. */
  readonly families?: readonly AddressFamily[];
}

export interface HostAddress {
  readonly interfaceName: string;
  readonly address: string;
  readonly family: AddressFamily;
  readonly loopback: boolean;
  readonly linkLocal: boolean;
}

function familyOf(entry: InterfaceAddress): AddressFamily | undefined {
  if (entry.family === 'IPv4' || entry.family === 4) return 'IPv4';
  if (entry.family === 'IPv6' || entry.family === 6) return 'IPv6';
  return undefined;
}

function classify(address: string, family: AddressFamily) {
  const { bytes } = parseIpAddress(address);
  const [b0, b1] = [bytes[0] as number, bytes[1] as number];
  if (family === 'IPv4') {
    return { loopback: b0 === 127, linkLocal: b0 === 169 && b1 === 254, unusable: false };
  }
  const loopback = bytes.every((byte, i) => byte === (i === 15 ? 1 : 0));
  const mapped =
    bytes.subarray(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  const linkLocal = b0 === 0xfe && (b1 & 0xc0) === 0x80;
  const siteLocal = b0 === 0xfe && (b1 & 0xc0) === 0xc0;
  return { loopback, linkLocal, unusable: mapped || siteLocal };
}

/**
 * The addresses to gather host candidates on, in interface order (IPv6 before IPv4 within an
 * interface is the caller's choice of local preference, not an order here). Duplicates (the
 * same address on two interfaces) appear once.
 */
export function hostAddresses(
  interfaces: Readonly<Record<string, readonly InterfaceAddress[] | undefined>>,
  options: HostAddressOptions = {},
): HostAddress[] {
  const families = options.families ?? ['IPv4', 'IPv6'];
  const seen = new Set<string>();
  const result: HostAddress[] = [];
  for (const [interfaceName, entries] of Object.entries(interfaces)) {
    if (options.interfaces !== undefined && !options.interfaces.includes(interfaceName)) continue;
    if (options.excludeInterfaces?.includes(interfaceName)) continue;
    for (const entry of entries ?? []) {
      const family = familyOf(entry);
      if (family === undefined || !families.includes(family)) continue;
      // A zone index (fe80::1%eth0) is the interface; the address is what precedes it.
      const address = entry.address.split('%')[0] as string;
      let kind: ReturnType<typeof classify>;
      try {
        kind = classify(address, family);
      } catch {
        continue; // not an address this stack can put in a candidate
      }
      if (kind.unusable) continue;
      if ((kind.loopback || entry.internal) && options.includeLoopback !== true) continue;
      if (kind.linkLocal && options.includeLinkLocal !== true) continue;
      if (seen.has(address)) continue;
      seen.add(address);
      result.push({
        interfaceName,
        address,
        family,
        loopback: kind.loopback,
        linkLocal: kind.linkLocal,
      });
    }
  }
  return result;
}
