// The one way kernel.wat becomes WebAssembly, shared by the build script and the drift test.
import initWabt from 'wabt';

/** @param {string} wat @returns {Promise<Uint8Array>} */
export async function compileKernel(wat) {
  const wabt = await initWabt();
  const module = wabt.parseWat('kernel.wat', wat, { simd: true });
  try {
    module.validate();
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
