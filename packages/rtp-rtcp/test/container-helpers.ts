import { ContainerError } from '../src/errors.js';

/** Runs `fn` and returns the `ContainerError` it throws; anything else fails the test. */
export function thrown(fn: () => unknown): ContainerError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContainerError) return error;
    throw error;
  }
  throw new Error('expected a ContainerError');
}
