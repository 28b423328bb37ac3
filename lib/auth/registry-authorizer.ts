// The /v2 Authorizer: Bearer tokens from /service/token, HTTP Basic (password, access token or
// robot secret) for simple clients, and anonymous access to what public projects allow.
// Decisions come from lib/auth/permissions.ts (`registryActions`) and, for Bearer tokens, from the
// token's `access` claim (which the token service computed with the same policy).
//
//   no credentials      -> public pulls are allowed; anything else gets
//                          401 WWW-Authenticate: Bearer realm=…,service=…,scope=repository:<repo>:<actions>
//                          (`/v2/` always answers 401 so that `docker login` checks credentials, and
//                          `/v2/_catalog` with scope=registry:catalog:* so that clients which send
//                          credentials only when challenged list what they may see, not just public)
//   Bearer (valid)      -> allowed when the token grants every needed action; otherwise
//                          401 … error="insufficient_scope"
//   Bearer (invalid)    -> 401 … error="invalid_token"
//   Basic (valid)       -> allowed, or 403 DENIED
//   Basic (invalid)     -> 401 with the Bearer challenge
// A push to a single-component name (no project) is refused with NAME_INVALID, a push into a
// project that does not exist with DENIED (never auto-created, not even for system admins).
// A caller learns that a project exists only if it may read it (`mayLearnProjectIsMissing`): to
// everyone else a missing project answers exactly as an existing one they cannot read. Those who
// may know get 403 DENIED "project … does not exist", with Basic and with a token alike.
import { RegistryError, type AccessRequest, type AuthDecision, type Authorizer, type RequestInfo } from '@registry-core'
import type { PrismaClient } from '../db/prisma'
import { authenticate, parseBasicAuthorization } from './credentials'
import { ANONYMOUS_SUBJECT, mayLearnProjectIsMissing, registryActions, type Subject } from './permissions'
import { actorFor, parseActorId, projectNameOf, repositoryProjectContext, subjectOfActor } from './project-access'
import { InvalidTokenError, TokenVerifier, grantedActions, type TokenKeys, type TokenSettings } from './token-service'

export interface RegistryAuthorizerOptions {
  prisma: PrismaClient
  keys: TokenKeys
  settings: TokenSettings
  /** PUBLIC_URL; without it the realm is built from the request's Host header. */
  publicUrl?: string
}

const quote = (value: string) => value.replace(/["\\]/g, '')

export class RegistryAuthorizer implements Authorizer {
  private readonly tokens: TokenVerifier

  constructor(private readonly options: RegistryAuthorizerOptions) {
    this.tokens = new TokenVerifier(options.keys, options.settings)
  }

  async authorize(request: RequestInfo, access: AccessRequest): Promise<AuthDecision> {
    if (access.type === 'repository' && access.actions.some((a) => a !== 'pull') && projectNameOf(access.repository) === null) {
      throw new RegistryError('NAME_INVALID', {
        message: `repository name "${access.repository}" has no project: push to <project>/<name>, e.g. your username/${access.repository}`,
        detail: { name: access.repository },
      })
    }
    const header = headerValue(request.headers.authorization)
    if (header && /^Bearer\s/i.test(header)) return this.bearer(request, access, header.replace(/^Bearer\s+/i, '').trim())

    const credentials = parseBasicAuthorization(header)
    if (credentials === 'malformed') return this.challenge(request, access, { message: 'malformed Authorization header' })
    if (!credentials) return this.anonymous(request, access)
    const subject = await authenticate(this.options.prisma, credentials.username, credentials.password, request.remoteAddress, { via: 'registry' })
    if (!subject) return this.challenge(request, access, { message: 'invalid username or password' })
    return this.subjectDecision(subject, access)
  }

  private async anonymous(request: RequestInfo, access: AccessRequest): Promise<AuthDecision> {
    if (access.type === 'repository' && access.actions.every((a) => a === 'pull')) {
      const project = await repositoryProjectContext(this.options.prisma, ANONYMOUS_SUBJECT, access.repository)
      if (project && registryActions(ANONYMOUS_SUBJECT, project).includes('pull')) return { kind: 'allow', actor: {} }
    }
    return this.challenge(request, access, { message: 'authentication required' })
  }

  private async subjectDecision(subject: Subject, access: AccessRequest): Promise<AuthDecision> {
    const actor = actorFor(subject)
    if (access.type !== 'repository') return { kind: 'allow', actor }
    const project = await repositoryProjectContext(this.options.prisma, subject, access.repository)
    if (!project && mayLearnProjectIsMissing(subject)) return { kind: 'deny', actor, message: missingProjectMessage(access) }
    const held = project ? registryActions(subject, project) : []
    if (access.actions.every((a) => held.includes(a))) return { kind: 'allow', actor }
    return { kind: 'deny', actor, message: `requested access to the resource is denied (${access.actions.join(',')} on ${access.repository})` }
  }

  private async bearer(request: RequestInfo, access: AccessRequest, token: string): Promise<AuthDecision> {
    let verified
    try {
      verified = await this.tokens.verify(token)
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error
      return this.challenge(request, access, { error: 'invalid_token', message: error.message })
    }
    const actor = { name: verified.subject || undefined, id: verified.actorId }
    switch (access.type) {
      case 'base':
        return { kind: 'allow', actor }
      case 'catalog':
        if (grantedActions(verified, 'registry', 'catalog').has('*')) return { kind: 'allow', actor }
        return this.challenge(request, access, { error: 'insufficient_scope', message: 'the token does not grant registry:catalog:*' })
      case 'repository': {
        const granted = grantedActions(verified, 'repository', access.repository)
        if (access.actions.every((a) => granted.has(a))) return { kind: 'allow', actor }
        // The token service grants nothing in a missing project; say so plainly to those who may know.
        if (mayLearnProjectIsMissing(subjectOfActor(parseActorId(verified.actorId), verified.subject))) {
          const project = await repositoryProjectContext(this.options.prisma, ANONYMOUS_SUBJECT, access.repository)
          if (!project) return { kind: 'deny', actor, message: missingProjectMessage(access) }
        }
        return this.challenge(request, access, {
          error: 'insufficient_scope',
          message: `the token does not grant ${access.actions.join(',')} on ${access.repository}`,
        })
      }
    }
  }

  private challenge(request: RequestInfo, access: AccessRequest, extra: { error?: string; message?: string }): AuthDecision {
    const params = [`realm="${quote(this.realm(request))}"`, `service="${quote(this.options.settings.service)}"`]
    if (access.type === 'repository') params.push(`scope="repository:${access.repository}:${access.actions.join(',')}"`)
    if (access.type === 'catalog') params.push('scope="registry:catalog:*"')
    if (extra.error) params.push(`error="${extra.error}"`)
    return { kind: 'challenge', challenge: `Bearer ${params.join(',')}`, message: extra.message }
  }

  private realm(request: RequestInfo): string {
    if (this.options.publicUrl) return `${this.options.publicUrl}/service/token`
    const host = headerValue(request.headers.host)
    const safeHost = host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? host : 'localhost'
    const proto = headerValue(request.headers['x-forwarded-proto']) === 'https' ? 'https' : 'http'
    return `${proto}://${safeHost}/service/token`
  }
}

function missingProjectMessage(access: Extract<AccessRequest, { type: 'repository' }>): string {
  const project = projectNameOf(access.repository)
  if (project === null) return `repository "${access.repository}" has no project, so it does not exist`
  return access.actions.some((a) => a !== 'pull')
    ? `project "${project}" does not exist: create it first (repositories are created on push only inside an existing project)`
    : `project "${project}" does not exist`
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
