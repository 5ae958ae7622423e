import { deserialize, serialize } from 'node:v8'

// Vitest's jsdom environment puts the window's ArrayBuffer and typed arrays on the global
// object, and Node's WebCrypto refuses buffers made with them ("not instance of
// ArrayBuffer"): the fake PayPal's test PKI, built when a relay world starts
// (test/sync/real-providers.ts), could not be signed. This puts Node's own constructors
// back (the environment's teardown restores its originals anyway); the page's code
// (React, the stores, the QR drawing) does not care which realm its arrays come from.

const TYPED = [
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'Uint8ClampedArray',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Float32Array',
  'Float64Array'
] as const

export function useNodeArrays(): void {
  if (typeof window === 'undefined') return
  const g = globalThis as unknown as Record<string, unknown>
  // A value deserialized by V8 is made with this context's own intrinsics, not the window's.
  for (const name of TYPED) {
    const Ctor = g[name] as new (n: number) => ArrayBufferView
    g[name] = (deserialize(serialize(new Ctor(0))) as object).constructor
  }
  g['ArrayBuffer'] = Buffer.alloc(1).buffer.constructor
}
