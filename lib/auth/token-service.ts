// The Docker token service (distribution's docs/content/spec/auth/token.md, jwt.md, scope.md):
// `GET /service/token?service=…&scope=…&scope=…` with optional HTTP Basic credentials answers a
// JWT whose `access` claim is the intersection of what was asked and what the caller may do.
//
// Keys: one EC P-256 key pair signs (ES256) and verifies. TOKEN_PRIVATE_KEY_FILE names it (PEM,
// PKCS#8); otherwise it is generated at first start as DATA_DIR/token/private.pem, mode 0600,
// created atomically (written to a temporary file, then hard-linked into place, which fails when
// another replica or process won the race; then everyone reads the winner). `kid` is the RFC 7638
// thumbprint of the public key. /v2 verifies tokens with this public key only.
//
// Claims: iss (TOKEN_ISSUER), sub (user or robot name, "" for anonymous), aud (TOKEN_SERVICE),
// exp (iat + TOKEN_LIFETIME), nbf and iat (now), jti (random), access
// ([{type, name, actions}]), and `actor`: the subject as `Actor.id` (lib/auth/project-access.ts),
// so /v2 can filter the catalog without a database lookup of the token's owner.
//
// No refresh tokens are issued; POST with grant_type=password works (OAuth2 form), any other grant
// type is refused with 400 unsupported_grant_type.
import { randomBytes, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, sign, type KeyObject } from 'node:crypto'
import { mkdir, open, readFile, link, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, jwtVerify } from 'jose'
import { assertName } from '@registry-core'
import type { AppConfig } from '../config'
import type { PrismaClient } from '../db/prisma'
import { databaseFailure } from '../db/errors'
import { AppError } from '../errors'
import { authenticate, parseBasicAuthorization } from './credentials'
import { clientAddress } from '../client-address'
import { runtime } from '../runtime'
import { ANONYMOUS_SUBJECT, registryActions, subjectName, type RobotAction, type Subject } from './permissions'
import { actorFor, projectContexts, projectNameOf } from './project-access'
import { mirroredPullNames } from '../proxy/grants'

// ---------------------------------------------------------------- keys

export interface TokenKeys {
  privateKey: KeyObject
  publicKey: KeyObject
  kid: string
}

const keyCache = new Map<string, Promise<TokenKeys>>()

/**
 * A 32-byte secret for `purpose`, derived from the token signing key: every replica that can issue
 * tokens for this registry derives the same one, and one purpose's key reveals nothing of another's.
 */
export function derivedKey(keys: TokenKeys, purpose: string): Buffer {
  const material = keys.privateKey.export({ format: 'der', type: 'pkcs8' })
  return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), purpose, 32))
}

/** The signing key pair for `config` (loaded or created once per process). */
export function loadTokenKeys(config: Pick<AppConfig, 'dataDir' | 'tokenPrivateKeyFile'>): Promise<TokenKeys> {
  const file = config.tokenPrivateKeyFile ?? join(config.dataDir, 'token', 'private.pem')
  let keys = keyCache.get(file)
  if (!keys) {
    keys = (config.tokenPrivateKeyFile ? readKeyFile(file) : readOrCreateKeyFile(file)).catch((error) => {
      keyCache.delete(file)
      throw error
    })
    keyCache.set(file, keys)
  }
  return keys
}

async function readKeyFile(file: string): Promise<TokenKeys> {
  let pem: string
  try {
    pem = await readFile(file, 'utf8')
  } catch (error) {
    throw new Error(`cannot read the token signing key ${file}: ${(error as Error).message}`, { cause: error })
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(pem)
  } catch (error) {
    throw new Error(`the token signing key ${file} is not a PEM private key: ${(error as Error).message}`, { cause: error })
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`the token signing key ${file} must be an EC P-256 (prime256v1) key for ES256`)
  }
  const publicKey = createPublicKey(privateKey)
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey), 'sha256')
  return { privateKey, publicKey, kid }
}

async function readOrCreateKeyFile(file: string): Promise<TokenKeys> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  try {
    return await readKeyFile(file)
  } catch (error) {
    if (!/ENOENT/.test((error as Error).message)) throw error
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(pem)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await link(tmp, file) // atomic, and never replaces a key another process created meanwhile
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    await unlink(tmp).catch(() => {})
  }
  return readKeyFile(file)
}

// ---------------------------------------------------------------- scopes

export interface ResourceScope {
  type: string
  /** `repository(plugin):…` has class `plugin`. */
  resourceClass?: string
  name: string
  actions: string[]
}

export class ScopeError extends Error {}

const TYPE_PATTERN = /^([a-z0-9]+)(?:\(([a-z0-9]+)\))?$/
const ACTION_PATTERN = /^(?:[a-z]*|\*)$/

/** One `type[(class)]:name:action[,action…]` (the name may hold a `host:port/` prefix). */
export function parseScope(text: string): ResourceScope {
  const first = text.indexOf(':')
  const last = text.lastIndexOf(':')
  if (first <= 0 || last === first) throw new ScopeError(`malformed scope "${text.slice(0, 200)}": expected type:name:actions`)
  const typeMatch = TYPE_PATTERN.exec(text.slice(0, first))
  if (!typeMatch) throw new ScopeError(`malformed scope "${text.slice(0, 200)}": bad resource type`)
  const name = text.slice(first + 1, last)
  if (!name) throw new ScopeError(`malformed scope "${text.slice(0, 200)}": empty resource name`)
  const actions = text.slice(last + 1).split(',')
  if (!actions.every((a) => ACTION_PATTERN.test(a))) throw new ScopeError(`malformed scope "${text.slice(0, 200)}": bad action`)
  return { type: typeMatch[1], resourceClass: typeMatch[2], name, actions: [...new Set(actions.filter(Boolean))] }
}

/** Every `scope` parameter value may hold several space-separated scopes. */
export function parseScopes(values: string[]): ResourceScope[] {
  if (values.length > 100) throw new ScopeError('too many scopes')
  return values.flatMap((v) => v.split(' ').filter(Boolean)).map(parseScope)
}

export interface AccessEntry {
  type: string
  name: string
  actions: string[]
}

const REGISTRY_ACTIONS: readonly RobotAction[] = ['pull', 'push', 'delete']

function requestedRegistryActions(actions: string[]): Set<RobotAction> {
  if (actions.includes('*')) return new Set(REGISTRY_ACTIONS)
  return new Set(actions.filter((a): a is RobotAction => (REGISTRY_ACTIONS as readonly string[]).includes(a)))
}

function validRepositoryName(name: string): boolean {
  try {
    assertName(name)
    return true
  } catch {
    return false
  }
}

/**
 * What to put in the token: for each requested resource, the requested actions the subject holds
 * (possibly none). `registry:catalog:*` is granted to everyone: the catalog lists what the token's
 * subject may read (public repositories for an anonymous token, which is how `podman search` without
 * a login still finds them once /v2/_catalog has challenged it).
 * A repository in a missing project gets the empty grant, exactly as one in a project the caller
 * cannot read: /v2 tells the two apart only for those who may know (`mayLearnProjectIsMissing`).
 * A pull of a name in no local project is also granted under the proxy-cache projects the caller may
 * pull from, which is where the transparent mirror serves it (lib/proxy/grants.ts).
 */
export async function grantAccess(prisma: PrismaClient, subject: Subject, scopes: ResourceScope[]): Promise<AccessEntry[]> {
  const repositories = new Map<string, Set<RobotAction>>()
  const entries: AccessEntry[] = []
  let catalog = false
  for (const scope of scopes) {
    if (scope.type === 'repository') {
      const requested = repositories.get(scope.name) ?? new Set<RobotAction>()
      for (const a of requestedRegistryActions(scope.actions)) requested.add(a)
      repositories.set(scope.name, requested)
    } else if (scope.type === 'registry' && scope.name === 'catalog' && scope.actions.includes('*')) {
      catalog = true
    }
  }
  const projectNames = [...repositories.keys()]
    .filter(validRepositoryName)
    .map(projectNameOf)
    .filter((p): p is string => p !== null)
  const projects = await projectContexts(prisma, subject, projectNames)
  for (const [name, requested] of repositories) {
    const projectName = validRepositoryName(name) ? projectNameOf(name) : null
    const project = projectName === null ? undefined : projects.get(projectName)
    const held = project ? registryActions(subject, project) : []
    entries.push({ type: 'repository', name, actions: REGISTRY_ACTIONS.filter((a) => requested.has(a) && held.includes(a)) })
  }
  const pulls = [...repositories].filter(([name, requested]) => requested.has('pull') && validRepositoryName(name)).map(([name]) => name)
  for (const name of await mirroredPullNames(prisma, subject, pulls, new Set(projects.keys()))) {
    if (validRepositoryName(name)) entries.push({ type: 'repository', name, actions: ['pull'] })
  }
  if (catalog) entries.push({ type: 'registry', name: 'catalog', actions: ['*'] })
  return entries
}

// ---------------------------------------------------------------- issuing and verifying

export interface TokenSettings {
  issuer: string
  service: string
  lifetimeMs: number
}

export function tokenSettings(config: Pick<AppConfig, 'tokenIssuer' | 'tokenService' | 'tokenLifetimeMs'>): TokenSettings {
  return { issuer: config.tokenIssuer, service: config.tokenService, lifetimeMs: config.tokenLifetimeMs }
}

export interface IssuedToken {
  token: string
  expiresIn: number
  issuedAt: Date
}

const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * Signs with node:crypto directly (synchronous, the key object imported once by loadTokenKeys):
 * the same compact ES256 JWS jose's SignJWT makes, at about a third of its CPU, which goes through
 * WebCrypto's job queue for every token.
 */
export function issueToken(keys: TokenKeys, settings: TokenSettings, subject: Subject, access: AccessEntry[]): IssuedToken {
  const now = Math.floor(Date.now() / 1000)
  const expiresIn = Math.floor(settings.lifetimeMs / 1000)
  const actor = actorFor(subject).id
  const header = base64urlJson({ alg: 'ES256', typ: 'JWT', kid: keys.kid })
  const claims = base64urlJson({
    access,
    ...(actor ? { actor } : {}),
    iss: settings.issuer,
    sub: subjectName(subject),
    aud: settings.service,
    iat: now,
    nbf: now,
    exp: now + expiresIn,
    jti: randomBytes(16).toString('hex'),
  })
  const signed = `${header}.${claims}`
  const signature = sign('sha256', Buffer.from(signed), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')
  return { token: `${signed}.${signature}`, expiresIn, issuedAt: new Date(now * 1000) }
}

export interface VerifiedToken {
  subject: string
  /** `Actor.id` of the subject (undefined for anonymous). */
  actorId?: string
  access: AccessEntry[]
  /** When the token expires (its `exp`), in milliseconds since the epoch. */
  expiresAt: number
}

export class InvalidTokenError extends Error {}

/** Header parameters that would let a token bring its own key: never honoured, always refused. */
const KEY_CARRYING_HEADERS = ['jwk', 'jku', 'x5c', 'x5u', 'x5t', 'x5t#S256']
/** Allowed clock difference between replicas, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 10

/** Verifies a registry token with the configured public key only; throws InvalidTokenError. */
export async function verifyToken(keys: TokenKeys, settings: TokenSettings, token: string): Promise<VerifiedToken> {
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>
  } catch {
    throw new InvalidTokenError('malformed token')
  }
  if (header.alg !== 'ES256') throw new InvalidTokenError('token algorithm must be ES256')
  if (KEY_CARRYING_HEADERS.some((h) => h in header)) throw new InvalidTokenError('token carries its own key')
  let payload: Record<string, unknown>
  try {
    ;({ payload } = await jwtVerify(token, keys.publicKey, {
      algorithms: ['ES256'],
      issuer: settings.issuer,
      audience: settings.service,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'iat', 'nbf'],
    }))
  } catch (error) {
    throw new InvalidTokenError(`invalid token: ${(error as Error).message}`)
  }
  const access = Array.isArray(payload.access) ? payload.access : []
  const entries: AccessEntry[] = []
  for (const e of access as unknown[]) {
    if (!e || typeof e !== 'object') continue
    const { type, name, actions } = e as Record<string, unknown>
    if (typeof type !== 'string' || typeof name !== 'string' || !Array.isArray(actions)) continue
    entries.push({ type, name, actions: actions.filter((a): a is string => typeof a === 'string') })
  }
  return {
    subject: typeof payload.sub === 'string' ? payload.sub : '',
    actorId: typeof payload.actor === 'string' ? payload.actor : undefined,
    access: entries,
    expiresAt: (payload.exp as number) * 1000,
  }
}

const VERIFIED_TOKENS_MAX = 2000

/**
 * verifyToken with a memory: a client sends the same token with every request of a push, and an
 * ES256 verification costs more than the rest of a small request. A token that verified is taken
 * again without a signature check until its `exp` (never longer); a failure is never remembered.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, VerifiedToken>()

  constructor(
    private readonly keys: TokenKeys,
    private readonly settings: TokenSettings,
  ) {}

  async verify(token: string): Promise<VerifiedToken> {
    const known = this.verified.get(token)
    if (known && known.expiresAt > Date.now()) return known
    if (known) this.verified.delete(token)
    const verified = await verifyToken(this.keys, this.settings, token)
    if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.delete(this.verified.keys().next().value!)
    this.verified.set(token, verified)
    return verified
  }
}

/** The actions a verified token grants on one resource. */
export function grantedActions(token: VerifiedToken, type: string, name: string): Set<string> {
  const actions = new Set<string>()
  for (const entry of token.access) if (entry.type === type && entry.name === name) for (const a of entry.actions) actions.add(a)
  return actions
}

// ---------------------------------------------------------------- HTTP (web Request -> Response)

export interface TokenServiceDeps {
  prisma: PrismaClient
  keys: TokenKeys
  settings: TokenSettings
}

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' }

function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message, detail: null }] })
}

function unauthorized(message = 'authentication required: invalid username or password'): Response {
  return new Response(errorBody('UNAUTHORIZED', message), {
    status: 401,
    headers: { ...JSON_HEADERS, 'WWW-Authenticate': 'Basic realm="harbormaster token service"' },
  })
}

function badRequest(message: string): Response {
  return new Response(errorBody('UNSUPPORTED', message), { status: 400, headers: JSON_HEADERS })
}

async function tokenResponse(deps: TokenServiceDeps, subject: Subject, rawScopes: string[], oauth: boolean): Promise<Response> {
  let scopes: ResourceScope[]
  try {
    scopes = parseScopes(rawScopes)
  } catch (error) {
    if (oauth) return new Response(JSON.stringify({ error: 'invalid_scope', error_description: (error as Error).message }), { status: 400, headers: JSON_HEADERS })
    return badRequest((error as Error).message)
  }
  const access = await grantAccess(deps.prisma, subject, scopes)
  const issued = issueToken(deps.keys, deps.settings, subject, access)
  const body: Record<string, unknown> = oauth
    ? {
        access_token: issued.token,
        token_type: 'Bearer',
        scope: access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' '),
        expires_in: issued.expiresIn,
        issued_at: issued.issuedAt.toISOString(),
      }
    : { token: issued.token, access_token: issued.token, expires_in: issued.expiresIn, issued_at: issued.issuedAt.toISOString() }
  return new Response(JSON.stringify(body), { status: 200, headers: JSON_HEADERS })
}

/** Input the service cannot use (NUL bytes, text the database cannot hold) is a 400, not a 500. */
function unusableInput(error: unknown): string | undefined {
  if (error instanceof AppError && error.kind === 'invalid') return error.message
  if (databaseFailure(error) === 'invalid_text') return 'the request contains text that cannot be used (e.g. a NUL byte)'
  return undefined
}

/** `GET /service/token`: optional Basic credentials; none means an anonymous token. */
export async function handleTokenGet(deps: TokenServiceDeps, request: Request): Promise<Response> {
  try {
    return await tokenGet(deps, request)
  } catch (error) {
    const message = unusableInput(error)
    if (message === undefined) throw error
    return badRequest(message)
  }
}

/** `POST /service/token` (OAuth2 form): errors in the OAuth format. */
export async function handleTokenPost(deps: TokenServiceDeps, request: Request): Promise<Response> {
  try {
    return await tokenPost(deps, request)
  } catch (error) {
    const message = unusableInput(error)
    if (message === undefined) throw error
    return new Response(JSON.stringify({ error: 'invalid_request', error_description: message }), { status: 400, headers: JSON_HEADERS })
  }
}

async function tokenGet(deps: TokenServiceDeps, request: Request): Promise<Response> {
  const url = new URL(request.url)
  const service = url.searchParams.get('service')
  if (service !== null && service !== deps.settings.service) return badRequest(`unknown service "${service.slice(0, 200)}"`)
  const credentials = parseBasicAuthorization(request.headers.get('authorization'))
  if (credentials === 'malformed') return unauthorized('malformed Authorization header')
  let subject: Subject = ANONYMOUS_SUBJECT
  if (credentials) {
    const authenticated = await authenticate(deps.prisma, credentials.username, credentials.password, clientAddress(request.headers), { via: 'token' })
    if (!authenticated) return unauthorized()
    subject = authenticated
  }
  return tokenResponse(deps, subject, url.searchParams.getAll('scope'), false)
}

/** `POST /service/token` (OAuth2 form, distribution's oauth.md): grant_type=password only. */
async function tokenPost(deps: TokenServiceDeps, request: Request): Promise<Response> {
  const oauthError = (status: number, error: string, description: string) =>
    new Response(JSON.stringify({ error, error_description: description }), { status, headers: JSON_HEADERS })
  const type = request.headers.get('content-type') ?? ''
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return oauthError(400, 'invalid_request', 'expected an application/x-www-form-urlencoded body')
  const text = await request.text()
  if (text.length > 64 * 1024) return oauthError(400, 'invalid_request', 'body too large')
  const form = new URLSearchParams(text)
  const grantType = form.get('grant_type')
  if (grantType !== 'password') {
    return oauthError(
      400,
      'unsupported_grant_type',
      grantType === 'refresh_token' ? 'refresh tokens are not issued by this service' : `unsupported grant_type "${(grantType ?? '').slice(0, 100)}"`,
    )
  }
  const service = form.get('service')
  if (service !== null && service !== deps.settings.service) return oauthError(400, 'invalid_request', `unknown service "${service.slice(0, 200)}"`)
  const subject = await authenticate(deps.prisma, form.get('username') ?? '', form.get('password') ?? '', clientAddress(request.headers), { via: 'token' })
  if (!subject) return oauthError(401, 'invalid_grant', 'invalid username or password')
  return tokenResponse(deps, subject, form.getAll('scope'), true)
}

/** The runtime's configuration and database, and the signing keys loaded once (for the Next route handler). */
export async function defaultTokenServiceDeps(): Promise<TokenServiceDeps> {
  const { config, prisma } = runtime()
  return { prisma, keys: await loadTokenKeys(config), settings: tokenSettings(config) }
}
