/**
 * Assertions shared by the HTTP tests. Each failure message names the request and what came back.
 */
import { expect } from 'vitest'
import { OCI_ERROR_CODES, type RegistryResponse } from './oci'

/** Asserts the status is one of `statuses`. */
export function expectStatus(res: RegistryResponse, ...statuses: number[]): void {
  expect(statuses, `expected ${statuses.join(' or ')}: ${res.describe()}`).toContain(res.status)
}

/** Every /v2 response, errors and 401s included, carries `Docker-Distribution-Api-Version: registry/2.0`. */
export function expectApiVersion(res: RegistryResponse): void {
  expect(res.header('docker-distribution-api-version'), `Docker-Distribution-Api-Version on ${res.describe()}`).toBe('registry/2.0')
}

/**
 * Asserts an OCI error response: one of `statuses`, a JSON body `{"errors":[{code,message?,detail?}]}`
 * whose codes all come from the spec's list, and (when `codes` is given) whose first error has one of them.
 */
export function expectOciError(res: RegistryResponse, statuses: number | number[], codes?: string | string[]): void {
  const st = Array.isArray(statuses) ? statuses : [statuses]
  expectStatus(res, ...st)
  expectApiVersion(res)
  if (res.request.method === 'HEAD') return // HEAD responses carry no body
  const errors = res.errors()
  expect(errors, `error body {"errors":[...]} on ${res.describe()}`).toBeDefined()
  expect(errors!.length, `at least one error in ${res.describe()}`).toBeGreaterThan(0)
  for (const e of errors!) {
    expect(typeof e.code, `error code is a string in ${res.describe()}`).toBe('string')
    expect(e.code, `error code format in ${res.describe()}`).toMatch(/^[A-Z_]+$/)
    expect(OCI_ERROR_CODES as readonly string[], `error code ${e.code} is one of the spec's codes (${res.describe()})`).toContain(e.code)
    if (e.message !== undefined) expect(typeof e.message, `message is a string in ${res.describe()}`).toBe('string')
  }
  if (codes) {
    const cs = Array.isArray(codes) ? codes : [codes]
    expect(cs, `error code ${cs.join(' or ')} expected: ${res.describe()}`).toContain(errors![0].code)
  }
}

/** Asserts a `WWW-Authenticate` challenge (Basic or Bearer) is present. */
export function expectChallenge(res: RegistryResponse): void {
  const h = res.header('www-authenticate')
  expect(h, `WWW-Authenticate on ${res.describe()}`).toBeTruthy()
  expect(h!, `WWW-Authenticate scheme on ${res.describe()}`).toMatch(/^\s*(Basic|Bearer)\b/i)
}

/** Asserts the body equals `expected` byte for byte (with a short message instead of a huge diff). */
export function expectBody(res: RegistryResponse, expected: Buffer): void {
  const same = Buffer.compare(res.body, expected) === 0
  expect(same, `body of ${res.request.method} ${res.request.url}: got ${res.body.length} bytes, expected ${expected.length} identical bytes`).toBe(true)
}
