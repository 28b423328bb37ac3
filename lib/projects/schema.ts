// The project shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'
import { PROJECT_ACTIONS, PROJECT_ROLES, type ProjectAction, type ProjectRole } from '../auth/permissions'

/** A proxy-cache project's upstream (issue #12). */
export const projectProxySchema = z.object({
  registryId: z.number(),
  registryName: z.string(),
  url: z.string(),
  tagTtlSeconds: z.number().describe("how long a tag's cached resolution is served before one HEAD upstream revalidates it"),
})

/** The wire shape of a ProjectView (OpenAPI). */
export const projectSchema = z.object({
  id: z.number(),
  name: z.string(),
  public: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  role: z
    .enum(PROJECT_ROLES as [ProjectRole, ...ProjectRole[]])
    .nullable()
    .describe("the caller's role in the project, if a member"),
  repositoryCount: z.number(),
  permissions: z.array(z.enum(PROJECT_ACTIONS as [ProjectAction, ...ProjectAction[]])).describe('the project actions the caller may perform'),
  proxy: projectProxySchema.nullable().describe('the upstream a proxy-cache project caches; null for a hosted project'),
  storageLimit: z.number().describe('storage quota in bytes; -1: unlimited'),
  storageUsed: z.number().describe("bytes the project's repositories hold, a blob or manifest shared by several of them counted once"),
})

/** A project as the API sends it (dates as ISO strings). */
export type Project = z.infer<typeof projectSchema>

/** A proxy-cache project's upstream as the API sends it. */
export type ProjectProxy = z.infer<typeof projectProxySchema>
