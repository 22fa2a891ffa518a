/**
 * `serialize(desc)`: the text of a session description, lines in RFC 8866 §5 order, each ended
 * by CRLF (RFC 8866 §5: "The sequence CRLF ... is used to end a line").
 */

import { formatAttribute } from './attributes.js';
import type { Bandwidth, Connection, MediaDescription, SessionDescription } from './model.js';

const formatConnection = (c: Connection): string => `c=${c.netType} ${c.addrType} ${c.address}`;
const formatBandwidth = (b: Bandwidth): string => `b=${b.type}:${b.value}`;

function mediaLines(media: MediaDescription, out: string[]): void {
  const port = media.portCount === undefined ? `${media.port}` : `${media.port}/${media.portCount}`;
  out.push(`m=${[media.kind, port, media.protocol, ...media.formats].join(' ')}`);
  if (media.information !== undefined) out.push(`i=${media.information}`);
  for (const connection of media.connections) out.push(formatConnection(connection));
  for (const bandwidth of media.bandwidths) out.push(formatBandwidth(bandwidth));
  if (media.encryptionKey !== undefined) out.push(`k=${media.encryptionKey}`);
  for (const attribute of media.attributes) out.push(formatAttribute(attribute));
}

export function serialize(description: SessionDescription): string {
  const o = description.origin;
  const out: string[] = [
    `v=${description.version}`,
    `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`,
    `s=${description.sessionName}`,
  ];
  if (description.information !== undefined) out.push(`i=${description.information}`);
  if (description.uri !== undefined) out.push(`u=${description.uri}`);
  for (const email of description.emails) out.push(`e=${email}`);
  for (const phone of description.phones) out.push(`p=${phone}`);
  if (description.connection !== undefined) out.push(formatConnection(description.connection));
  for (const bandwidth of description.bandwidths) out.push(formatBandwidth(bandwidth));
  for (const timing of description.timing) {
    out.push(`t=${timing.start} ${timing.stop}`);
    for (const repeat of timing.repeats) out.push(`r=${repeat}`);
  }
  if (description.timeZones !== undefined) out.push(`z=${description.timeZones}`);
  if (description.encryptionKey !== undefined) out.push(`k=${description.encryptionKey}`);
  for (const attribute of description.attributes) out.push(formatAttribute(attribute));
  for (const media of description.media) mediaLines(media, out);
  return `${out.join('\r\n')}\r\n`;
}
