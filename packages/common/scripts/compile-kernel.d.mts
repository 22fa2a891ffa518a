/** Compiles the kernel's WebAssembly text to a module binary (with SIMD enabled). */
export function compileKernel(wat: string): Promise<Uint8Array>;
