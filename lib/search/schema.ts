// The search result shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'

export const searchResultSchema = z.object({
  projects: z.array(z.object({ name: z.string(), public: z.boolean(), repositoryCount: z.number() })),
  repositories: z.array(
    z.object({ name: z.string(), projectName: z.string(), description: z.string(), artifactCount: z.number(), pullCount: z.number(), lastPushedAt: z.iso.datetime().nullable() }),
  ),
})

export type SearchResult = z.infer<typeof searchResultSchema>
