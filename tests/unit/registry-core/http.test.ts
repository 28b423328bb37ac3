import { describe, expect, it } from 'vitest'
import { parseContentRange, parsePageSize, parseRangeHeader, uploadRange } from '../../../registry-core/src/http'
import { RegistryError } from '../../../registry-core/src/errors'

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn()
  } catch (error) {
    return (error as RegistryError).status
  }
  return undefined
}

describe('Range header', () => {
  it('parses closed, open and suffix ranges', () => {
    expect(parseRangeHeader('bytes=0-9', 100)).toEqual({ start: 0, end: 9 })
    expect(parseRangeHeader('bytes=90-', 100)).toEqual({ start: 90, end: 99 })
    expect(parseRangeHeader('bytes=-10', 100)).toEqual({ start: 90, end: 99 })
    expect(parseRangeHeader('bytes=-500', 100)).toEqual({ start: 0, end: 99 })
  })
  it('clamps an end past the blob', () => {
    expect(parseRangeHeader('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 })
  })
  it('ignores absent, malformed and multi-range headers', () => {
    expect(parseRangeHeader(undefined, 100)).toBeUndefined()
    expect(parseRangeHeader('items=0-1', 100)).toBeUndefined()
    expect(parseRangeHeader('bytes=0-1,5-6', 100)).toBeUndefined()
  })
  it('answers 416 with the size for unsatisfiable ranges', () => {
    expect(statusOf(() => parseRangeHeader('bytes=100-', 100))).toBe(416)
    expect(statusOf(() => parseRangeHeader('bytes=-0', 100))).toBe(416)
    expect(statusOf(() => parseRangeHeader('bytes=500-0', 1000))).toBe(416)
    expect(statusOf(() => parseRangeHeader('bytes=0-', 0))).toBe(416)
    try {
      parseRangeHeader('bytes=200-300', 100)
    } catch (error) {
      expect((error as RegistryError).headers['Content-Range']).toBe('bytes */100')
    }
  })
})

describe('Content-Range of upload chunks', () => {
  it('accepts the spec form and the RFC form', () => {
    expect(parseContentRange('0-1023')).toEqual({ start: 0, end: 1023 })
    expect(parseContentRange('bytes 1024-2047/*')).toEqual({ start: 1024, end: 2047 })
  })
  it('answers 416 for malformed values', () => {
    expect(statusOf(() => parseContentRange('abc'))).toBe(416)
    expect(statusOf(() => parseContentRange('10-5'))).toBe(416)
  })
})

describe('upload Range header', () => {
  it('reports the last byte received, 0-0 when empty', () => {
    expect(uploadRange(0)).toBe('0-0')
    expect(uploadRange(1)).toBe('0-0')
    expect(uploadRange(1024)).toBe('0-1023')
  })
})

describe('page size', () => {
  it('caps n and rejects garbage', () => {
    expect(parsePageSize('10', 100)).toBe(10)
    expect(parsePageSize('100000', 100)).toBe(100)
    expect(parsePageSize('0', 100)).toBe(0)
    expect(statusOf(() => parsePageSize('-1', 100))).toBe(400)
    expect(statusOf(() => parsePageSize('1e9', 100))).toBe(400)
  })
})
