import { inflateRawSync } from 'node:zlib'
import { InvalidInput } from '../../shared/errors'

// Just enough of the zip format to read Alipay's bill archive: the central directory, stored
// or deflated entries, names in UTF-8 (flag bit 11) or, as Alipay writes them, GBK. Sizes are
// capped before inflating, so a hostile archive cannot take the relay's memory.

export interface ZipEntry {
  name: string
  data: Buffer
}

const MAX_ENTRY_BYTES = 64 * 1024 * 1024
const gbk = new TextDecoder('gbk')

export function readZip(buf: Buffer): ZipEntry[] {
  const bad = (why: string) => new InvalidInput(`not a bill archive we can read: ${why}`)
  // The end-of-central-directory record: 22 bytes, then a comment of up to 65,535.
  let end = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      end = i
      break
    }
  }
  if (end < 0) throw bad('no zip directory')
  const count = buf.readUInt16LE(end + 10)
  let at = buf.readUInt32LE(end + 16)
  const entries: ZipEntry[] = []
  for (let n = 0; n < count; n++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50) throw bad('a broken directory entry')
    const flags = buf.readUInt16LE(at + 8)
    const method = buf.readUInt16LE(at + 10)
    const packed = buf.readUInt32LE(at + 20)
    const size = buf.readUInt32LE(at + 24)
    const nameLength = buf.readUInt16LE(at + 28)
    const skip = nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32)
    const local = buf.readUInt32LE(at + 42)
    const rawName = buf.subarray(at + 46, at + 46 + nameLength)
    const name = flags & 0x800 ? rawName.toString('utf8') : gbk.decode(rawName)
    at += 46 + skip
    if (name.endsWith('/')) continue
    if (flags & 0x1) throw bad(`${name} is encrypted`)
    if (size > MAX_ENTRY_BYTES) throw bad(`${name} is larger than ${MAX_ENTRY_BYTES} bytes`)
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw bad(`${name}: a broken local header`)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const body = buf.subarray(start, start + packed)
    if (body.length !== packed) throw bad(`${name} is cut short`)
    let data: Buffer
    if (method === 0) data = Buffer.from(body)
    else if (method === 8) {
      try {
        data = inflateRawSync(body, { maxOutputLength: MAX_ENTRY_BYTES })
      } catch (err) {
        throw bad(`${name} does not inflate (${(err as Error).message})`)
      }
    } else throw bad(`${name} uses compression method ${method}`)
    if (data.length !== size) throw bad(`${name} is not the size its directory says`)
    entries.push({ name, data })
  }
  return entries
}
