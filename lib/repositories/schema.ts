// The repository shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'

/** The wire shape of a repository (OpenAPI). */
export const repositorySchema = z.object({
  id: z.number(),
  name: z.string().describe('full name, project/name'),
  projectName: z.string(),
  description: z.string().describe('Markdown'),
  artifactCount: z.number(),
  storageUsed: z.number().describe("bytes of the distinct blobs and manifests the repository holds (what it adds to its project's usage on its own)"),
  pullCount: z.number(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  lastPushedAt: z.iso.datetime().nullable(),
})

/** A repository as the API sends it (dates as ISO strings). */
export type Repository = z.infer<typeof repositorySchema>
