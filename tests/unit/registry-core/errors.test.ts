import { describe, expect, it } from 'vitest'
import { errorResponse, RegistryError } from '../../../registry-core/src/errors'

describe('errorResponse', () => {
  it('renders the OCI error body with the default status and message', () => {
    const { status, body } = errorResponse(new RegistryError('BLOB_UNKNOWN', { detail: { digest: 'sha256:x' } }))
    expect(status).toBe(404)
    expect(JSON.parse(body)).toEqual({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: { digest: 'sha256:x' } }] })
  })
  it('carries several entries and extra headers', () => {
    const error = new RegistryError('UNAUTHORIZED', {
      headers: { 'WWW-Authenticate': 'Basic realm="r"' },
      more: [{ code: 'DENIED', message: 'no' }],
    })
    const { status, headers, body } = errorResponse(error)
    expect(status).toBe(401)
    expect(headers['WWW-Authenticate']).toBe('Basic realm="r"')
    expect(JSON.parse(body).errors.map((e: { code: string }) => e.code)).toEqual(['UNAUTHORIZED', 'DENIED'])
  })
  it('hides unexpected errors behind an opaque 500', () => {
    const { status, body } = errorResponse(new Error('password=hunter2 in a stack trace'))
    expect(status).toBe(500)
    expect(body).not.toContain('hunter2')
    expect(JSON.parse(body).errors[0].code).toBe('INTERNAL')
  })
})
