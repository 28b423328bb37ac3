// The hex digest of a whole in-memory value: the one place that hashes one (storage/ hashes streams
// incrementally). The app uses it too, through this package's entry point.
import { createHash } from 'node:crypto'

export type HashAlgorithm = 'sha256' | 'sha512'

/** Hex digest of `data` (a string is hashed as UTF-8). */
export function hexDigest(data: string | Buffer, algorithm: HashAlgorithm = 'sha256'): string {
  return createHash(algorithm).update(data).digest('hex')
}
