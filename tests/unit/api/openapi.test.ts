// Every route file under app/api/v1 and app/v1, with each HTTP method it exports, appears in the OpenAPI document;
// every operation documents its real success body; and those schemas are, type for type, what the
// domain functions behind the handlers return (as JSON: dates as ISO strings, bigints as numbers).
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import { openApiDocument } from '../../../lib/api/openapi'
import type { Page } from '../../../lib/pagination'
import { auditEntrySchema, type listAuditLog, type listProjectAuditLog } from '../../../lib/audit'
import { memberSchema, type addMember, type changeMemberRole, type listMembers } from '../../../lib/members'
import { projectSchema, type createProject, type getProject, type listProjects, type updateProject } from '../../../lib/projects'
import { repositorySchema, type createRepository, type getRepository, type listRepositories, type updateRepository } from '../../../lib/repositories'
import { artifactDetailSchema, artifactSchema, tagSchema, type addTag, type getArtifact, type listArtifacts, type listArtifactTags } from '../../../lib/artifacts'
import {
  createdRobotSchema,
  robotSchema,
  updatedRobotSchema,
  type createProjectRobot,
  type createSystemRobot,
  type listProjectRobots,
  type listSystemRobots,
  type updateProjectRobot,
  type updateSystemRobot,
} from '../../../lib/robots'
import { settingsSchema, type getSettings, type updateSettings } from '../../../lib/settings'
import { currentUserSchema, userSchema, type getCurrentUser, type listUsers, type signup, type updateUser } from '../../../lib/users'
import { accessTokenSchema, createdAccessTokenSchema, type createAccessToken, type listAccessTokens } from '../../../lib/tokens'
import { searchResultSchema, type search } from '../../../lib/search'
import { dockerSearchResultSchema, type dockerSearch } from '../../../lib/search/docker'
import {
  registryEndpointSchema,
  registryPingSchema,
  type createRegistry,
  type getRegistry,
  type listRegistries,
  type pingRegistry,
  type updateRegistry,
} from '../../../lib/registries'
import { immutableRuleSchema, type createImmutableRule, type listImmutableRules, type updateImmutableRule } from '../../../lib/immutability'
import {
  retentionPolicySchema,
  retentionRunSchema,
  type getRetentionPolicy,
  type getRetentionRun,
  type listRetentionRuns,
  type putRetentionPolicy,
  type startManualRun,
} from '../../../lib/retention'

const app = join(__dirname, '../../../app')
const roots = ['api/v1', 'v1']

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return routeFiles(path)
    return entry.name === 'route.ts' ? [path] : []
  })
}

describe('OpenAPI document', () => {
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, unknown>> }

  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc)
  })

  it('lists every route file under app/api/v1 and app/v1 with each method it exports', () => {
    const files = roots.flatMap((root) => routeFiles(join(app, root)))
    expect(files.length).toBeGreaterThan(10)
    expect(files.map((file) => relative(app, file).split(sep).join('/'))).toContain('v1/search/route.ts')
    const missing: string[] = []
    for (const file of files) {
      const dir = relative(app, file).split(sep).slice(0, -1)
      // `%5F` is how a URL segment starting with `_` is spelled in Next's app folder (`_` alone makes it private).
      const path = dir.map((segment) => '/' + decodeURIComponent(segment).replace(/^\[(.+)\]$/, '{$1}')).join('')
      const methods = [...readFileSync(file, 'utf8').matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1].toLowerCase())
      expect(methods.length, file).toBeGreaterThan(0)
      for (const method of methods) if (!doc.paths[path]?.[method]) missing.push(`${method.toUpperCase()} ${path}`)
    }
    expect(missing).toEqual([])
  })

  it('describes the artifact list with its query parameters and pagination headers', () => {
    const op = doc.paths['/api/v1/projects/{project}/repositories/{repository}/artifacts'].get as any
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['project', 'repository', 'page', 'page_size', 'tag', 'tagged']))
    expect(op.responses['200'].headers['X-Total-Count']).toBeDefined()
    expect(op.responses['200'].content['application/json'].schema.items.properties.kind.enum).toEqual(['image', 'index', 'artifact'])
  })
})

/** What lib/api/respond.ts json() sends for a value of type T: dates as ISO strings, bigints as numbers. */
type OnTheWire<T> = T extends Date ? string : T extends bigint ? number : T extends (infer U)[] ? OnTheWire<U>[] : T extends object ? { [K in keyof T]: OnTheWire<T[K]> } : T
type Returned<F extends (...args: never[]) => unknown> = OnTheWire<Awaited<ReturnType<F>>>
type Item<F extends (...args: never[]) => Promise<Page<unknown>>> = OnTheWire<Awaited<ReturnType<F>>['items'][number]>

describe('OpenAPI response schemas', () => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>> }
  type JsonSchema = { type?: string; properties?: Record<string, unknown>; items?: JsonSchema }
  const specific = (schema: JsonSchema | undefined): boolean =>
    !!schema && ((schema.type === 'object' && Object.keys(schema.properties ?? {}).length > 0) || (schema.type === 'array' && specific(schema.items)))

  it('every path and method has a specific 2xx body (an object with properties, or a list of them), or is a 204 with none', () => {
    const generic: string[] = []
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const successes = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'))
        expect(successes, `${method} ${path}`).toHaveLength(1)
        const [status, response] = successes[0]
        const ok = status === '204' ? response.content === undefined : specific(response.content?.['application/json']?.schema)
        if (!ok) generic.push(`${method.toUpperCase()} ${path} -> ${status}`)
      }
    }
    expect(generic).toEqual([])
  })

  it('are the wire types of what the domain functions return (checked by tsc)', () => {
    expectTypeOf<Item<typeof listUsers>>().toEqualTypeOf<z.output<typeof userSchema>>()
    expectTypeOf<Returned<typeof signup>>().toEqualTypeOf<z.output<typeof userSchema>>()
    expectTypeOf<Returned<typeof updateUser>>().toEqualTypeOf<z.output<typeof userSchema>>()
    expectTypeOf<Returned<typeof getCurrentUser>>().toEqualTypeOf<z.output<typeof currentUserSchema>>()
    expectTypeOf<Item<typeof listAccessTokens>>().toEqualTypeOf<z.output<typeof accessTokenSchema>>()
    expectTypeOf<Returned<typeof createAccessToken>>().toEqualTypeOf<z.output<typeof createdAccessTokenSchema>>()
    expectTypeOf<Returned<typeof getSettings>>().toEqualTypeOf<z.output<typeof settingsSchema>>()
    expectTypeOf<Returned<typeof updateSettings>>().toEqualTypeOf<z.output<typeof settingsSchema>>()
    expectTypeOf<Item<typeof listAuditLog>>().toEqualTypeOf<z.output<typeof auditEntrySchema>>()
    expectTypeOf<Item<typeof listProjectAuditLog>>().toEqualTypeOf<z.output<typeof auditEntrySchema>>()
    expectTypeOf<Item<typeof listProjectRobots>>().toEqualTypeOf<z.output<typeof robotSchema>>()
    expectTypeOf<Item<typeof listSystemRobots>>().toEqualTypeOf<z.output<typeof robotSchema>>()
    expectTypeOf<Returned<typeof createProjectRobot>>().toEqualTypeOf<z.output<typeof createdRobotSchema>>()
    expectTypeOf<Returned<typeof createSystemRobot>>().toEqualTypeOf<z.output<typeof createdRobotSchema>>()
    expectTypeOf<Returned<typeof updateProjectRobot>>().toEqualTypeOf<z.output<typeof updatedRobotSchema>>()
    expectTypeOf<Returned<typeof updateSystemRobot>>().toEqualTypeOf<z.output<typeof updatedRobotSchema>>()
    expectTypeOf<Item<typeof listMembers>>().toEqualTypeOf<z.output<typeof memberSchema>>()
    expectTypeOf<Returned<typeof addMember>>().toEqualTypeOf<z.output<typeof memberSchema>>()
    expectTypeOf<Returned<typeof changeMemberRole>>().toEqualTypeOf<z.output<typeof memberSchema>>()
    expectTypeOf<Item<typeof listProjects>>().toEqualTypeOf<z.output<typeof projectSchema>>()
    expectTypeOf<Returned<typeof createProject>>().toEqualTypeOf<z.output<typeof projectSchema>>()
    expectTypeOf<Returned<typeof getProject>>().toEqualTypeOf<z.output<typeof projectSchema>>()
    expectTypeOf<Returned<typeof updateProject>>().toEqualTypeOf<z.output<typeof projectSchema>>()
    expectTypeOf<Item<typeof listRepositories>>().toEqualTypeOf<z.output<typeof repositorySchema>>()
    expectTypeOf<Returned<typeof createRepository>>().toEqualTypeOf<z.output<typeof repositorySchema>>()
    expectTypeOf<Returned<typeof getRepository>>().toEqualTypeOf<z.output<typeof repositorySchema>>()
    expectTypeOf<Returned<typeof updateRepository>>().toEqualTypeOf<z.output<typeof repositorySchema>>()
    expectTypeOf<Item<typeof listArtifacts>>().toEqualTypeOf<z.output<typeof artifactSchema>>()
    expectTypeOf<Returned<typeof getArtifact>>().toEqualTypeOf<z.output<typeof artifactDetailSchema>>()
    expectTypeOf<Returned<typeof addTag>['artifact']>().toEqualTypeOf<z.output<typeof artifactSchema>>()
    expectTypeOf<Item<typeof listArtifactTags>>().toEqualTypeOf<z.output<typeof tagSchema>>()
    expectTypeOf<Returned<typeof listImmutableRules>[number]>().toEqualTypeOf<z.output<typeof immutableRuleSchema>>()
    expectTypeOf<Returned<typeof createImmutableRule>>().toEqualTypeOf<z.output<typeof immutableRuleSchema>>()
    expectTypeOf<Returned<typeof updateImmutableRule>>().toEqualTypeOf<z.output<typeof immutableRuleSchema>>()
    expectTypeOf<Returned<typeof getRetentionPolicy>>().toEqualTypeOf<z.output<typeof retentionPolicySchema>>()
    expectTypeOf<Returned<typeof putRetentionPolicy>>().toEqualTypeOf<z.output<typeof retentionPolicySchema>>()
    expectTypeOf<Item<typeof listRetentionRuns>>().toEqualTypeOf<z.output<typeof retentionRunSchema>>()
    expectTypeOf<Returned<typeof getRetentionRun>>().toEqualTypeOf<z.output<typeof retentionRunSchema>>()
    expectTypeOf<Returned<typeof startManualRun>>().toEqualTypeOf<z.output<typeof retentionRunSchema>>()
    expectTypeOf<Returned<typeof search>>().toEqualTypeOf<z.output<typeof searchResultSchema>>()
    expectTypeOf<Returned<typeof dockerSearch>>().toEqualTypeOf<z.output<typeof dockerSearchResultSchema>>()
    expectTypeOf<Item<typeof listRegistries>>().toEqualTypeOf<z.output<typeof registryEndpointSchema>>()
    expectTypeOf<Returned<typeof getRegistry>>().toEqualTypeOf<z.output<typeof registryEndpointSchema>>()
    expectTypeOf<Returned<typeof createRegistry>>().toEqualTypeOf<z.output<typeof registryEndpointSchema>>()
    expectTypeOf<Returned<typeof updateRegistry>>().toEqualTypeOf<z.output<typeof registryEndpointSchema>>()
    expectTypeOf<Returned<typeof pingRegistry>>().toEqualTypeOf<z.output<typeof registryPingSchema>>()
  })
})
