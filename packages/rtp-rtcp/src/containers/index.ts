/**
 * Media containers for recording and playing back RTP streams: IVF for VP8/VP9/AV1 and Ogg Opus
 * (RFC 7845). Sans I/O: writers return bytes to append, readers take bytes pushed to them.
 */

export * from './ivf.js';
export * from './ivf-reader.js';
export * from './ivf-writer.js';
export * from './ogg-crc.js';
export * from './ogg-opus-reader.js';
export * from './ogg-opus-writer.js';
export * from './ogg-page.js';
export * from './ogg-stream-writer.js';
export * from './opus-duration.js';
export * from './opus-headers.js';
