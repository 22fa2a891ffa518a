import { describe, expect, it } from 'vitest';
import { Emitter } from '../src/events.js';

type Events = {
  data: (value: number, label: string) => void;
  close: () => void;
};

describe('Emitter', () => {
  it('calls listeners in the order they were added, with the emitted arguments', () => {
    const events = new Emitter<Events>();
    const calls: string[] = [];
    events.on('data', (value, label) => calls.push(`first ${value} ${label}`));
    events.on('data', (value, label) => calls.push(`second ${value} ${label}`));
    events.on('close', () => calls.push('close'));
    events.emit('data', 7, 'x');
    expect(calls).toEqual(['first 7 x', 'second 7 x']);
    expect(events.listenerCount('data')).toBe(2);
    expect(events.listenerCount('close')).toBe(1);
  });

  it('emitting an event nobody listens to does nothing', () => {
    const events = new Emitter<Events>();
    expect(() => events.emit('close')).not.toThrow();
    expect(events.listenerCount('close')).toBe(0);
  });

  it('on() returns an unsubscribe function; off() removes a listener', () => {
    const events = new Emitter<Events>();
    const seen: number[] = [];
    const unsubscribe = events.on('data', (value) => seen.push(value));
    const other = (value: number): void => {
      seen.push(-value);
    };
    events.on('data', other);
    events.emit('data', 1, '');
    unsubscribe();
    unsubscribe();
    events.emit('data', 2, '');
    events.off('data', other);
    events.off('data', other);
    events.emit('data', 3, '');
    expect(seen).toEqual([1, -1, -2]);
    expect(events.listenerCount('data')).toBe(0);
  });

  it('counts a listener added twice twice, and off() removes one of them', () => {
    const events = new Emitter<Events>();
    let count = 0;
    const listener = (): void => {
      count++;
    };
    events.on('close', listener);
    events.on('close', listener);
    events.emit('close');
    expect(count).toBe(2);
    events.off('close', listener);
    events.emit('close');
    expect(count).toBe(3);
  });

  it('once() listeners run a single time, and can be unsubscribed before', () => {
    const events = new Emitter<Events>();
    const seen: number[] = [];
    events.once('data', (value) => seen.push(value));
    const cancel = events.once('data', (value) => seen.push(value * 100));
    cancel();
    events.emit('data', 1, '');
    events.emit('data', 2, '');
    expect(seen).toEqual([1]);
    expect(events.listenerCount('data')).toBe(0);
  });

  it('off() with the listener given to once() removes it', () => {
    const events = new Emitter<Events>();
    const seen: number[] = [];
    const listener = (value: number): void => {
      seen.push(value);
    };
    events.once('data', listener);
    events.off('data', listener);
    events.emit('data', 1, '');
    expect(seen).toEqual([]);
    expect(events.listenerCount('data')).toBe(0);
  });

  it('once() listener that re-emits the event is not called again', () => {
    const events = new Emitter<Events>();
    let calls = 0;
    events.once('close', () => {
      calls++;
      events.emit('close');
    });
    events.emit('close');
    expect(calls).toBe(1);
  });

  it('an emit in progress is unaffected by listeners removed or added during it', () => {
    const events = new Emitter<Events>();
    const calls: string[] = [];
    const late = (): void => {
      calls.push('late');
    };
    let offB = (): void => {};
    events.on('close', () => {
      calls.push('a');
      offB();
      events.on('close', late);
    });
    offB = events.on('close', () => calls.push('b'));
    events.emit('close');
    expect(calls).toEqual(['a', 'b']);
    calls.length = 0;
    events.emit('close');
    // b is gone; a ran again and added a second copy of late.
    expect(calls).toEqual(['a', 'late']);
    expect(events.listenerCount('close')).toBe(3);
  });

  it('a throwing listener goes to onListenerError and the others still run', () => {
    const events = new Emitter<Events>();
    const errors: unknown[] = [];
    events.onListenerError = (error) => errors.push(error);
    const calls: string[] = [];
    const boom = new Error('boom');
    events.on('close', () => calls.push('before'));
    events.on('close', () => {
      throw boom;
    });
    events.on('close', () => calls.push('after'));
    events.emit('close');
    expect(calls).toEqual(['before', 'after']);
    expect(errors).toEqual([boom]);
  });

  it('removeAllListeners() removes every listener of every event', () => {
    const events = new Emitter<Events>();
    let calls = 0;
    events.on('close', () => calls++);
    events.on('data', () => calls++);
    events.removeAllListeners();
    events.emit('close');
    events.emit('data', 1, '');
    expect(calls).toBe(0);
    expect(events.listenerCount('close')).toBe(0);
    expect(events.listenerCount('data')).toBe(0);
  });
});
