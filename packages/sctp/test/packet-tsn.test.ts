import { describe, expect, it } from 'vitest';
import {
  ssnAdd,
  ssnLessThan,
  tsnAdd,
  tsnDiff,
  tsnLessOrEqual,
  tsnLessThan,
} from '../src/packet/index.js';

describe('TSN serial arithmetic (RFC 1982, RFC 9260 §1.6)', () => {
  it('orders across the wrap: 0xffffffff comes before 0', () => {
    expect(tsnLessThan(0xffffffff, 0)).toBe(true);
    expect(tsnLessThan(0, 0xffffffff)).toBe(false);
    expect(tsnLessThan(0xfffffff0, 0x10)).toBe(true);
    expect(tsnLessThan(1, 2)).toBe(true);
    expect(tsnLessThan(2, 1)).toBe(false);
    expect(tsnLessThan(7, 7)).toBe(false);
  });

  it('orders up to half the space, and leaves exactly half unordered (RFC 1982 §3.2)', () => {
    expect(tsnLessThan(0, 0x7fffffff)).toBe(true);
    expect(tsnLessThan(0x80000001, 0)).toBe(true);
    expect(tsnLessThan(0, 0x80000000)).toBe(false);
    expect(tsnLessThan(0x80000000, 0)).toBe(false);
  });

  it('less-or-equal includes equality', () => {
    expect(tsnLessOrEqual(5, 5)).toBe(true);
    expect(tsnLessOrEqual(0xffffffff, 0)).toBe(true);
    expect(tsnLessOrEqual(0, 0xffffffff)).toBe(false);
  });

  it('measures signed distances modulo 2^32', () => {
    expect(tsnDiff(0xffffffff, 0)).toBe(1);
    expect(tsnDiff(0, 0xffffffff)).toBe(-1);
    expect(tsnDiff(5, 5)).toBe(0);
    expect(tsnDiff(0xfffffff0, 0x10)).toBe(0x20);
    expect(tsnDiff(0x10, 0x8000000f)).toBe(0x7fffffff);
  });

  it('adds with wrap-around, either way', () => {
    expect(tsnAdd(0xffffffff, 1)).toBe(0);
    expect(tsnAdd(0, -1)).toBe(0xffffffff);
    expect(tsnAdd(0xfffffff0, 0x20)).toBe(0x10);
    expect(tsnAdd(0x10, tsnDiff(0x10, 0xfffffff0))).toBe(0xfffffff0);
  });

  it('agrees with the sign of the distance around the wrap', () => {
    const base = 0xfffffffa;
    for (let i = 0; i < 12; i++) {
      for (let j = 0; j < 12; j++) {
        const a = tsnAdd(base, i);
        const b = tsnAdd(base, j);
        expect(tsnLessThan(a, b)).toBe(i < j);
        expect(tsnDiff(a, b)).toBe(j - i);
      }
    }
  });
});

describe('SSN serial arithmetic', () => {
  it('orders and adds modulo 2^16', () => {
    expect(ssnLessThan(0xffff, 0)).toBe(true);
    expect(ssnLessThan(0, 0xffff)).toBe(false);
    expect(ssnLessThan(3, 3)).toBe(false);
    expect(ssnLessThan(0, 0x7fff)).toBe(true);
    expect(ssnLessThan(0, 0x8000)).toBe(false);
    expect(ssnLessThan(0x8000, 0)).toBe(false);
    expect(ssnAdd(0xffff, 1)).toBe(0);
    expect(ssnAdd(0, -1)).toBe(0xffff);
    expect(ssnAdd(0xfff0, 0x20)).toBe(0x10);
  });
});
