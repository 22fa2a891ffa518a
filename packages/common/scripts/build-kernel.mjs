// Compiles src/crypto/kernel/kernel.wat to src/crypto/kernel/kernel-binary.ts (the module's
// bytes, base64), so that building and using the package needs no WebAssembly toolchain. Run
// after editing the .wat: `npm run build:kernel -w @typertc/common`; a test fails while the two
// disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { compileKernel } from './compile-kernel.mjs';

const source = new URL('../src/crypto/kernel/kernel.wat', import.meta.url);
const target = new URL('../src/crypto/kernel/kernel-binary.ts', import.meta.url);
const binary = await compileKernel(readFileSync(source, 'utf8'));
const base64 = Buffer.from(binary).toString('base64');
const lines = base64.match(/.{1,96}/g) ?? [];
writeFileSync(
  target,
  `// Generated from kernel.wat by scripts/build-kernel.mjs: do not edit.\n\n` +
    `/** The kernel's WebAssembly module, base64. */\n` +
    `export const KERNEL_BASE64 =\n${lines.map((line) => `  '${line}'`).join(' +\n')};\n`,
);
console.log(`kernel-binary.ts: ${binary.length} bytes of WebAssembly`);
