import { describe, expect, it } from 'vitest'
import { endpoint, isRegistryPath, matchRoute } from '../../../registry-core/src/routes'
import { RegistryError } from '../../../registry-core/src/errors'

const digest = `sha256:${'d'.repeat(64)}`

describe('matchRoute', () => {
  it('routes every endpoint, with multi-component names', () => {
    expect(matchRoute('/v2/')).toEqual({ route: 'base' })
    expect(matchRoute('/v2/_catalog')).toEqual({ route: 'catalog' })
    expect(matchRoute('/v2/a/b/c/tags/list')).toMatchObject({ route: 'tags', name: 'a/b/c' })
    expect(matchRoute('/v2/a/b/manifests/v1')).toMatchObject({ route: 'manifest', name: 'a/b', reference: 'v1' })
    expect(matchRoute(`/v2/a/blobs/${digest}`)).toMatchObject({ route: 'blob', name: 'a', reference: digest })
    expect(matchRoute('/v2/a/blobs/uploads/')).toMatchObject({ route: 'uploadStart', name: 'a' })
    expect(matchRoute('/v2/a/blobs/uploads')).toMatchObject({ route: 'uploadStart', name: 'a' })
    expect(matchRoute('/v2/a/blobs/uploads/abc-123')).toMatchObject({ route: 'upload', name: 'a', reference: 'abc-123' })
    expect(matchRoute(`/v2/a/referrers/${digest}`)).toMatchObject({ route: 'referrers', name: 'a', reference: digest })
  })
  it('decodes percent-encoded digests', () => {
    expect(matchRoute(`/v2/a/blobs/${digest.replace(':', '%3A')}`)).toMatchObject({ reference: digest })
  })
  it('refuses invalid names with NAME_INVALID before anything else', () => {
    for (const path of ['/v2/UP/tags/list', '/v2/a..b/manifests/x', '/v2/../etc/tags/list', '/v2/a%2F..%2Fb/tags/list']) {
      try {
        matchRoute(path)
        expect.fail(`${path} matched`)
      } catch (error) {
        expect((error as RegistryError).code).toBe('NAME_INVALID')
      }
    }
  })
  it('answers 404 for unknown endpoints', () => {
    expect(() => matchRoute('/v2/a/unknown')).toThrow(RegistryError)
  })
})

describe('endpoint', () => {
  it('maps methods to pull, push and delete', () => {
    const manifest = matchRoute('/v2/a/manifests/v1')
    expect(endpoint(manifest, 'GET').access).toEqual({ type: 'repository', repository: 'a', actions: ['pull'] })
    expect(endpoint(manifest, 'PUT').access).toEqual({ type: 'repository', repository: 'a', actions: ['push'] })
    expect(endpoint(manifest, 'DELETE').access).toEqual({ type: 'repository', repository: 'a', actions: ['delete'] })
    expect(endpoint(matchRoute('/v2/a/blobs/uploads/'), 'POST').access.type).toBe('repository')
    expect(endpoint(matchRoute('/v2/'), 'GET').access).toEqual({ type: 'base' })
    expect(endpoint(matchRoute('/v2/_catalog'), 'GET').access).toEqual({ type: 'catalog' })
  })
  it('requires per route and method the access of the route table', () => {
    const access = (path: string, method: string) => endpoint(matchRoute(path), method).access
    const repo = (actions: string[]) => ({ type: 'repository', repository: 'a/b', actions })
    expect(access('/v2', 'HEAD')).toEqual({ type: 'base' })
    expect(access('/v2/a/b/tags/list', 'GET')).toEqual(repo(['pull']))
    expect(access('/v2/a/b/manifests/v1', 'HEAD')).toEqual(repo(['pull']))
    for (const method of ['GET', 'HEAD']) expect(access(`/v2/a/b/blobs/${digest}`, method)).toEqual(repo(['pull']))
    expect(access(`/v2/a/b/blobs/${digest}`, 'DELETE')).toEqual(repo(['delete']))
    expect(access('/v2/a/b/blobs/uploads/', 'POST')).toEqual(repo(['push']))
    for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) expect(access('/v2/a/b/blobs/uploads/u1', method)).toEqual(repo(['push']))
    expect(access(`/v2/a/b/referrers/${digest}`, 'GET')).toEqual(repo(['pull']))
  })
  it('lists the served methods in Allow', () => {
    const allow = (path: string, method: string) => {
      try {
        endpoint(matchRoute(path), method)
      } catch (error) {
        return (error as RegistryError).headers.Allow
      }
      expect.fail(`${method} ${path} allowed`)
    }
    expect(allow('/v2/', 'POST')).toBe('GET, HEAD')
    expect(allow('/v2/a/manifests/v1', 'POST')).toBe('GET, HEAD, PUT, DELETE')
    expect(allow(`/v2/a/blobs/${digest}`, 'PUT')).toBe('GET, HEAD, DELETE')
    expect(allow('/v2/a/blobs/uploads/', 'GET')).toBe('POST')
    expect(allow('/v2/a/blobs/uploads/u1', 'POST')).toBe('GET, PATCH, PUT, DELETE')
  })
  it('answers 405 UNSUPPORTED with Allow for other methods', () => {
    try {
      endpoint(matchRoute('/v2/a/tags/list'), 'POST')
      expect.fail('POST allowed')
    } catch (error) {
      expect((error as RegistryError).status).toBe(405)
      expect((error as RegistryError).headers.Allow).toBe('GET')
    }
  })
})

describe('isRegistryPath', () => {
  it('claims /v2 and nothing else', () => {
    expect(isRegistryPath('/v2')).toBe(true)
    expect(isRegistryPath('/v2/')).toBe(true)
    expect(isRegistryPath('/v2/_catalog?n=1')).toBe(true)
    expect(isRegistryPath('/v2x')).toBe(false)
    expect(isRegistryPath('/api/v1/projects')).toBe(false)
  })
})
