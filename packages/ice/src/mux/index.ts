export type { MuxRegistration, MuxSink, UdpMuxCounters } from './binding-table.js';
export * from './mux-errors.js';
export * from './muxed-transport.js';
export * from './udp-mux.js';
export * from './udp-mux-router.js';
