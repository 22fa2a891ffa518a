/** The in-memory network: hosts, impaired links and RFC 4787 NATs on a fake clock. */

export type { DropReason } from './context.js';
export {
  AddressFamilyMismatchError,
  AddressInUseError,
  AddressNotAvailableError,
  VirtualNetworkError,
} from './errors.js';
export type { BindOptions, HostOptions, HostStats } from './host.js';
export { VirtualHost } from './host.js';
export type { DuplexLinkConditions, LinkConditions, LinkStats } from './link.js';
export { VirtualLink } from './link.js';
export type {
  EndpointDependence,
  NatBehavior,
  NatOptions,
  NatPreset,
  NatStats,
} from './nat.js';
export { natPresets, VirtualNat } from './nat.js';
export type {
  NetworkOptions,
  NetworkStats,
  PacketDelivery,
  PacketDrop,
  VirtualNetworkEvents,
} from './network.js';
export { VirtualNetwork } from './network.js';
export { VirtualUdpSocket } from './socket.js';
