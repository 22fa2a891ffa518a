/**
 * Namespaced logging, silent unless asked for.
 *
 * `DEBUG=typertc:ice,typertc:dtls` enables those layers, `DEBUG=typertc:*` every layer, and a
 * leading `-` excludes one (`DEBUG=typertc:*,-typertc:sctp`), the convention of the `debug`
 * package. Hot paths test `log.enabled` before building a message, so a disabled logger costs
 * one property read.
 */

import { format } from 'node:util';

export interface Logger {
  /** The namespace, such as `typertc:ice`. */
  readonly namespace: string;
  /** Whether this logger writes; check it before formatting anything costly. */
  readonly enabled: boolean;
  /** Writes a `util.format`-style message when enabled. */
  debug(message: string, ...args: unknown[]): void;
  /** A logger for a sub-namespace (`typertc:ice` → `typertc:ice:agent`). */
  child(name: string): Logger;
}

/** Where enabled loggers write; a test may capture lines with `setLogSink`. */
export type LogSink = (namespace: string, line: string) => void;

const stderrSink: LogSink = (namespace, line) => {
  process.stderr.write(`${new Date().toISOString()} ${namespace} ${line}\n`);
};

let sink: LogSink = stderrSink;
let patterns = parseDebugPatterns(process.env.DEBUG ?? '');
const loggers = new Map<string, NamespaceLogger>();

interface DebugPatterns {
  include: RegExp[];
  exclude: RegExp[];
}

/** Parses a `DEBUG` value: comma- or space-separated globs, `-glob` to exclude. */
export function parseDebugPatterns(value: string): DebugPatterns {
  const include: RegExp[] = [];
  const exclude: RegExp[] = [];
  for (const token of value.split(/[\s,]+/)) {
    if (token === '') continue;
    const negated = token.startsWith('-');
    const glob = negated ? token.slice(1) : token;
    const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    (negated ? exclude : include).push(new RegExp(`^${escaped}$`));
  }
  return { include, exclude };
}

function isEnabled(namespace: string): boolean {
  if (patterns.exclude.some((re) => re.test(namespace))) return false;
  return patterns.include.some((re) => re.test(namespace));
}

class NamespaceLogger implements Logger {
  enabled: boolean;

  constructor(readonly namespace: string) {
    this.enabled = isEnabled(namespace);
  }

  debug(message: string, ...args: unknown[]): void {
    if (this.enabled) sink(this.namespace, format(message, ...args));
  }

  child(name: string): Logger {
    return createLogger(`${this.namespace.slice('typertc:'.length)}:${name}`);
  }
}

/** The logger for a layer: `createLogger('ice')` logs as `typertc:ice`. */
export function createLogger(layer: string): Logger {
  const namespace = `typertc:${layer}`;
  let logger = loggers.get(namespace);
  if (logger === undefined) {
    logger = new NamespaceLogger(namespace);
    loggers.set(namespace, logger);
  }
  return logger;
}

/**
 * Replaces the `DEBUG` setting read at start-up (for tests and for apps that configure logging
 * themselves); every existing logger follows.
 */
export function enableLogging(debugValue: string): void {
  patterns = parseDebugPatterns(debugValue);
  for (const logger of loggers.values()) logger.enabled = isEnabled(logger.namespace);
}

/** Redirects log lines (stderr by default); returns the previous sink. */
export function setLogSink(next: LogSink | undefined): LogSink {
  const previous = sink;
  sink = next ?? stderrSink;
  return previous;
}
