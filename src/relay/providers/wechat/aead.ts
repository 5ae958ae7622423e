import { createDecipheriv } from 'node:crypto'
import { NotificationRejected } from '../types'

// AEAD_AES_256_GCM with the APIv3 key, done here rather than with wechatpay-node-v3's
// decipher_gcm: that one never calls final(), so a wrong auth tag (a forged or corrupted
// ciphertext) goes unnoticed. final() throws unless the 16-byte tag authenticates the
// ciphertext and the associated data.

const TAG_BYTES = 16

export interface EncryptedResource {
  ciphertext: string
  nonce: string
  associated_data?: string
}

export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  try {
    const data = Buffer.from(resource.ciphertext, 'base64')
    if (data.length <= TAG_BYTES || !resource.nonce) throw new Error('too short')
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(resource.nonce, 'utf8'), {
      authTagLength: TAG_BYTES
    })
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES))
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'))
    const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()])
    return plain.toString('utf8')
  } catch {
    throw new NotificationRejected('decryption_failed', 'resource does not decrypt and authenticate with the APIv3 key')
  }
}
