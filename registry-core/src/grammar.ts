// The distribution spec's grammar for names, tags and digests. Everything taken from a URL is
// checked here before it reaches storage, the index or a log line.
import { RegistryError } from './errors'

const NAME_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*'
const NAME = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`)
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/
const SUPPORTED_DIGESTS: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
}

/** Repository names longer than this are refused (distribution's limit; keeps paths and index keys bounded). */
export const MAX_NAME_LENGTH = 255

export function isValidName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name)
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag)
}

/** True for a digest this registry can verify (sha256, sha512), in canonical lowercase hex. */
export function isSupportedDigest(digest: string): boolean {
  if (!DIGEST.test(digest)) return false
  const colon = digest.indexOf(':')
  const pattern = SUPPORTED_DIGESTS[digest.slice(0, colon)]
  return pattern !== undefined && pattern.test(digest.slice(colon + 1))
}

/** True for anything shaped like a digest, even an algorithm we cannot verify. */
export function looksLikeDigest(reference: string): boolean {
  return reference.includes(':')
}

export function digestAlgorithm(digest: string): 'sha256' | 'sha512' {
  return digest.slice(0, digest.indexOf(':')) as 'sha256' | 'sha512'
}

export function assertName(name: string): void {
  if (!isValidName(name)) {
    throw new RegistryError('NAME_INVALID', { detail: { name: name.slice(0, MAX_NAME_LENGTH) } })
  }
}

export function assertDigest(digest: string): void {
  if (!isSupportedDigest(digest)) {
    throw new RegistryError('DIGEST_INVALID', {
      message: 'invalid or unsupported digest (sha256 and sha512 are supported)',
      detail: { digest: digest.slice(0, 200) },
    })
  }
}

export type ManifestReference = { tag: string } | { digest: string }

/**
 * A manifest reference from a URL: a digest or a tag, each validated. An invalid tag is a bad
 * request when it would be written (PUT) and simply names nothing when it is read or deleted.
 */
export function parseReference(reference: string, purpose: 'read' | 'write' = 'read'): ManifestReference {
  if (looksLikeDigest(reference)) {
    assertDigest(reference)
    return { digest: reference }
  }
  if (!isValidTag(reference)) {
    const detail = { tag: reference.slice(0, 200) }
    throw purpose === 'write' ? new RegistryError('MANIFEST_INVALID', { message: 'invalid tag', detail }) : new RegistryError('MANIFEST_UNKNOWN', { detail })
  }
  return { tag: reference }
}
