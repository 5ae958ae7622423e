import { crc32, deflateRawSync } from 'node:zlib'

// Bill files as the providers ship them: GBK text (Alipay) and zip archives with GBK names.
// Node decodes GBK but cannot encode it, so the encoder is the decoder run backwards over every
// two-byte code (built once).

let table: Map<string, number> | undefined

export function encodeGbk(text: string): Buffer {
  if (!table) {
    table = new Map()
    const decoder = new TextDecoder('gbk')
    for (let hi = 0x81; hi <= 0xfe; hi++) {
      for (let lo = 0x40; lo <= 0xfe; lo++) {
        if (lo === 0x7f) continue
        const ch = decoder.decode(Uint8Array.of(hi, lo))
        if (ch.length === 1 && ch !== '\uFFFD' && !table.has(ch)) table.set(ch, (hi << 8) | lo)
      }
    }
  }
  const out: number[] = []
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (code < 0x80) out.push(code)
    else {
      const gb = table.get(ch)
      if (gb === undefined) throw new Error(`no GBK code for ${ch}`)
      out.push(gb >> 8, gb & 0xff)
    }
  }
  return Buffer.from(out)
}

/** A zip of deflated entries whose names are GBK (no UTF-8 flag), as Alipay's bill archive. */
export function zipGbk(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = encodeGbk(e.name)
    const packed = deflateRawSync(e.data)
    const crc = crc32(e.data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(e.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(e.data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, packed)
    centrals.push(central, name)
    offset += 30 + name.length + packed.length
  }
  const dir = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(dir.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, dir, end])
}
