// Signed upload session ids: what one key mints for one repository verifies only there, unaltered.
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { UploadIds } from '../../../registry-core/src/upload-ids'

const ids = new UploadIds(randomBytes(32))

describe('UploadIds', () => {
  it('verifies what it minted for the same repository and gives back the start time', () => {
    const startedAt = new Date('2026-11-28T07:00:00.123Z')
    const id = ids.mint('team/app', startedAt)
    expect(id).toMatch(/^[A-Za-z0-9_-]{52}$/)
    expect(ids.verify('team/app', id)).toEqual(startedAt)
  })

  it('mints a different id every time', () => {
    const now = new Date()
    const minted = new Set(Array.from({ length: 1000 }, () => ids.mint('team/app', now)))
    expect(minted.size).toBe(1000)
  })

  it("refuses another repository's id, another key's id and made-up ids", () => {
    const id = ids.mint('team/app', new Date())
    expect(ids.verify('team/other', id)).toBeNull()
    expect(ids.verify('team/app/sub', id)).toBeNull()
    expect(new UploadIds(randomBytes(32)).verify('team/app', id)).toBeNull()
    for (const bad of ['', 'x', '0'.repeat(52), 'a'.repeat(53), id.slice(1), `${id}A`, '3fa85f64-5717-4562-b3fc-2c963f66afa6']) {
      expect(ids.verify('team/app', bad), bad).toBeNull()
    }
  })

  it('refuses any altered character, including a non-canonical spelling of the same bytes', () => {
    const id = ids.mint('team/app', new Date())
    for (let i = 0; i < id.length; i++) {
      const altered = id.slice(0, i) + (id[i] === 'A' ? 'B' : 'A') + id.slice(i + 1)
      expect(ids.verify('team/app', altered), `position ${i}`).toBeNull()
    }
    // The last character of each base64url part carries unused low bits: flipping them decodes to
    // the same bytes, yet must not name the same session twice.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    for (const end of [29, 51]) {
      const value = alphabet.indexOf(id[end])
      const sibling = id.slice(0, end) + alphabet[value ^ 1] + id.slice(end + 1)
      expect(ids.verify('team/app', sibling)).toBeNull()
    }
  })

  it('needs a key of at least 32 bytes', () => {
    expect(() => new UploadIds(randomBytes(16))).toThrow(RangeError)
  })
})
