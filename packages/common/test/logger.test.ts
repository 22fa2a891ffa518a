import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, enableLogging, parseDebugPatterns, setLogSink } from '../src/logger.js';

/** Whether `value` (a DEBUG setting) enables `namespace`, by the rules the logger applies. */
function enables(value: string, namespace: string): boolean {
  const { include, exclude } = parseDebugPatterns(value);
  return !exclude.some((re) => re.test(namespace)) && include.some((re) => re.test(namespace));
}

describe('parseDebugPatterns', () => {
  it('splits on commas and whitespace, skipping empty tokens', () => {
    const patterns = parseDebugPatterns(' typertc:ice,,typertc:dtls  typertc:sctp ,');
    expect(patterns.include).toHaveLength(3);
    expect(patterns.exclude).toHaveLength(0);
    expect(parseDebugPatterns('').include).toHaveLength(0);
  });

  it('matches exact names and * globs', () => {
    expect(enables('typertc:ice', 'typertc:ice')).toBe(true);
    expect(enables('typertc:ice', 'typertc:ice:agent')).toBe(false);
    expect(enables('typertc:ice', 'typertc:icex')).toBe(false);
    expect(enables('typertc:*', 'typertc:ice')).toBe(true);
    expect(enables('typertc:*', 'typertc:ice:agent')).toBe(true);
    expect(enables('typertc:*', 'other:ice')).toBe(false);
    expect(enables('*', 'anything')).toBe(true);
    expect(enables('typertc:*:agent', 'typertc:ice:agent')).toBe(true);
    expect(enables('typertc:*:agent', 'typertc:ice:checks')).toBe(false);
  });

  it('treats regular-expression characters in names literally', () => {
    expect(enables('typertc:a.b', 'typertc:a.b')).toBe(true);
    expect(enables('typertc:a.b', 'typertc:aXb')).toBe(false);
    expect(enables('typertc:(x)', 'typertc:(x)')).toBe(true);
    expect(enables('typertc:a+', 'typertc:aa')).toBe(false);
  });

  it('excludes names after a leading -, whatever the order', () => {
    expect(enables('typertc:*,-typertc:sctp', 'typertc:sctp')).toBe(false);
    expect(enables('-typertc:sctp,typertc:*', 'typertc:sctp')).toBe(false);
    expect(enables('typertc:*,-typertc:sctp', 'typertc:dtls')).toBe(true);
    expect(enables('typertc:*,-typertc:ice:*', 'typertc:ice:agent')).toBe(false);
    expect(enables('typertc:*,-typertc:ice:*', 'typertc:ice')).toBe(true);
    // An exclusion alone enables nothing.
    expect(enables('-typertc:sctp', 'typertc:dtls')).toBe(false);
  });
});

describe('createLogger', () => {
  const lines: [string, string][] = [];

  beforeEach(() => {
    lines.length = 0;
    enableLogging('');
    setLogSink((namespace, line) => lines.push([namespace, line]));
  });

  afterEach(() => {
    setLogSink(undefined);
    enableLogging(process.env.DEBUG ?? '');
  });

  it('is silent unless enabled', () => {
    const log = createLogger('test-silent');
    expect(log.namespace).toBe('typertc:test-silent');
    expect(log.enabled).toBe(false);
    log.debug('nothing %s', 'here');
    expect(lines).toEqual([]);
  });

  it('returns one logger per namespace', () => {
    expect(createLogger('test-same')).toBe(createLogger('test-same'));
    expect(createLogger('test-same')).not.toBe(createLogger('test-other'));
  });

  it('enableLogging turns namespaces on and off, for loggers created before and after', () => {
    const before = createLogger('test-before');
    const unrelated = createLogger('test-unrelated');
    enableLogging('typertc:test-before,typertc:test-after');
    const after = createLogger('test-after');
    expect(before.enabled).toBe(true);
    expect(after.enabled).toBe(true);
    expect(unrelated.enabled).toBe(false);
    before.debug('one');
    unrelated.debug('not written');
    after.debug('two');
    expect(lines).toEqual([
      ['typertc:test-before', 'one'],
      ['typertc:test-after', 'two'],
    ]);
    enableLogging('typertc:*,-typertc:test-before');
    expect(before.enabled).toBe(false);
    expect(unrelated.enabled).toBe(true);
  });

  it('child loggers extend the namespace and follow the patterns', () => {
    const parent = createLogger('test-parent');
    const child = parent.child('agent');
    expect(child.namespace).toBe('typertc:test-parent:agent');
    expect(child.child('pair').namespace).toBe('typertc:test-parent:agent:pair');
    enableLogging('typertc:test-parent:*');
    expect(parent.enabled).toBe(false);
    expect(child.enabled).toBe(true);
  });

  it('writes util.format-style lines to the sink set with setLogSink', () => {
    enableLogging('typertc:test-format');
    const log = createLogger('test-format');
    log.debug('%d packets from %s', 3, '10.0.0.1:5000');
    log.debug('object', { a: 1 });
    expect(lines).toEqual([
      ['typertc:test-format', '3 packets from 10.0.0.1:5000'],
      ['typertc:test-format', 'object { a: 1 }'],
    ]);
  });

  it('setLogSink returns the previous sink', () => {
    const captured: string[] = [];
    const mine = (_namespace: string, line: string): void => {
      captured.push(line);
    };
    const previous = setLogSink(mine);
    expect(setLogSink(previous)).toBe(mine);
    enableLogging('typertc:test-sink');
    createLogger('test-sink').debug('to the test sink');
    expect(captured).toEqual([]);
    expect(lines).toEqual([['typertc:test-sink', 'to the test sink']]);
  });
});
