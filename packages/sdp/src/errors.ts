import { ParseError } from '@typertc/common';

/**
 * A malformed SDP line. `line` is the 1-based line number in the description (0 when a lone
 * attribute or candidate string was parsed), `text` the offending line as given, and `offset`
 * (from `ParseError`) the character offset where that line starts.
 */
export class SdpParseError extends ParseError {
  readonly line: number;
  readonly text: string;

  constructor(message: string, line: number, text: string, offset = 0) {
    super(
      `SDP line ${line}: ${message}: ${JSON.stringify(text.slice(0, 200))}`,
      offset,
      'SDP_PARSE',
    );
    this.line = line;
    this.text = text;
  }
}
