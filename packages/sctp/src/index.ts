export { SctpAssociation } from './association/association.js';
export type { SctpStats } from './association/data-path.js';
export type {
  SctpAssociationOptions,
  SctpEvent,
  SctpState,
} from './association/options.js';
export * from './datachannel/index.js';
export * from './errors.js';
export { AssociationDriver } from './node/association-driver.js';
export {
  SctpTransport,
  type SctpTransportEvents,
  type SctpTransportOptions,
} from './node/sctp-transport.js';
