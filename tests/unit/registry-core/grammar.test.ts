import { describe, expect, it } from 'vitest'
import { isSupportedDigest, isValidName, isValidTag, parseReference } from '../../../registry-core/src/grammar'
import { RegistryError } from '../../../registry-core/src/errors'

describe('repository names', () => {
  it.each(['a', 'library/alpine', 'my-org/my.app/v2', 'a__b', 'a---b', 'x9/y8/z7'])('accepts %s', (name) => {
    expect(isValidName(name)).toBe(true)
  })
  it.each(['', 'UPPER', 'a..b', 'a/', '/a', 'a//b', '-a', 'a-', 'a___b', '../etc', 'a/../b', 'a b', 'ä'])('refuses %j', (name) => {
    expect(isValidName(name)).toBe(false)
  })
  it('refuses names over 255 characters', () => {
    expect(isValidName('a'.repeat(255))).toBe(true)
    expect(isValidName('a'.repeat(256))).toBe(false)
  })
})

describe('tags', () => {
  it.each(['latest', 'v1.0.0', '_x', 'A-b_c.d', 'a'.repeat(128)])('accepts %s', (tag) => {
    expect(isValidTag(tag)).toBe(true)
  })
  it.each(['', '.hidden', '-x', 'a/b', 'a:b', 'a'.repeat(129)])('refuses %j', (tag) => {
    expect(isValidTag(tag)).toBe(false)
  })
})

describe('digests', () => {
  const hex = 'a'.repeat(64)
  it('accepts sha256 and sha512 in lowercase hex', () => {
    expect(isSupportedDigest(`sha256:${hex}`)).toBe(true)
    expect(isSupportedDigest(`sha512:${'b'.repeat(128)}`)).toBe(true)
  })
  it.each([`sha256:${hex.toUpperCase()}`, `sha256:${hex.slice(1)}`, `md5:${hex}`, hex, `sha256:${hex}/x`, 'sha256:'])('refuses %s', (digest) =>
    expect(isSupportedDigest(digest)).toBe(false),
  )
})

describe('parseReference', () => {
  it('tells tags from digests', () => {
    expect(parseReference('v1')).toEqual({ tag: 'v1' })
    expect(parseReference(`sha256:${'c'.repeat(64)}`)).toEqual({ digest: `sha256:${'c'.repeat(64)}` })
  })
  it('maps a bad digest to DIGEST_INVALID, a bad tag to MANIFEST_INVALID when writing and MANIFEST_UNKNOWN when reading', () => {
    expect(() => parseReference('sha256:zz')).toThrow(RegistryError)
    try {
      parseReference('sha256:zz')
    } catch (error) {
      expect((error as RegistryError).code).toBe('DIGEST_INVALID')
    }
    expect(() => parseReference('-bad', 'write')).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID', status: 400 }))
    expect(() => parseReference('.INVALID_MANIFEST_NAME')).toThrow(expect.objectContaining({ code: 'MANIFEST_UNKNOWN', status: 404 }))
  })
})
