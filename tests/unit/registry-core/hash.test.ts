import { describe, expect, it } from 'vitest'
import { hexDigest } from '../../../registry-core/src'
import { hashSecret } from '../../../lib/auth/credentials'

// Known answers (FIPS 180 test vector "abc" and the empty string).
describe('hexDigest', () => {
  it('is sha256 by default and hashes strings as UTF-8', () => {
    expect(hexDigest('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(hexDigest(Buffer.from('abc'))).toBe(hexDigest('abc'))
    expect(hexDigest('é')).toBe(hexDigest(Buffer.from([0xc3, 0xa9])))
  })

  it('does sha512 on request', () => {
    expect(hexDigest('', 'sha512')).toBe('cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e')
  })

  it('is what access-token and robot secrets are stored as', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})
