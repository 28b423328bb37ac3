// The artifact shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'

export const platformSchema = z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() })

/** A tag as the API shows it; `pushedAt` is when the tag last moved to its artifact. */
export const tagSchema = z.object({
  name: z.string(),
  pushedAt: z.iso.datetime(),
  checkedUpstreamAt: z.iso.datetime().nullable().describe('proxy-cache projects: when the tag was last confirmed against the upstream; null otherwise'),
  immutable: z.boolean().describe('an enabled tag immutability rule of the project protects the tag (it cannot be re-pointed or deleted)'),
})

/**
 * Tags are ordered as Harbor orders them: newest push first, then the newest tag row. The artifact
 * list and the detail embed at most this many (the first page of the artifact's tags) and say how
 * many there are in `tagCount`; GET …/artifacts/{reference}/tags pages through all of them.
 */
export const EMBEDDED_TAG_LIMIT = 10

export const childSchema = z.object({
  digest: z.string(),
  mediaType: z.string(),
  size: z.number(),
  platform: platformSchema.nullable(),
  present: z.boolean().describe('whether the repository holds this child manifest'),
})

export const artifactSchema = z.object({
  digest: z.string(),
  mediaType: z.string(),
  artifactType: z.string().nullable(),
  kind: z.enum(['image', 'index', 'artifact']),
  size: z.number().describe('manifest size plus the sizes of the content it references'),
  platforms: z.array(platformSchema),
  tags: z
    .array(tagSchema)
    .describe(`the newest ${EMBEDDED_TAG_LIMIT} tags at most (newest first; with a tag filter, the matching ones first); all of them: GET …/artifacts/{reference}/tags`),
  tagCount: z.number().describe('how many tags the artifact has'),
  pushedAt: z.iso.datetime(),
  lastPulledAt: z.iso.datetime().nullable(),
  pullCount: z.number(),
  referrers: z.array(z.object({ digest: z.string(), artifactType: z.string().nullable() })),
  children: z.array(childSchema).describe('the manifests of an index (empty for anything else)'),
})

export const artifactDetailSchema = artifactSchema.extend({
  manifest: z.record(z.string(), z.unknown()),
  config: z
    .object({
      os: z.string().nullable(),
      architecture: z.string().nullable(),
      created: z.string().nullable(),
      entrypoint: z.array(z.string()).nullable(),
      cmd: z.array(z.string()).nullable(),
      labels: z.record(z.string(), z.string()),
    })
    .nullable(),
  layers: z.array(z.object({ digest: z.string(), mediaType: z.string(), size: z.number() })),
})

export type ArtifactView = z.infer<typeof artifactSchema>
export type TagView = z.infer<typeof tagSchema>
/** A manifest of an index; `present` says whether the repository holds it. */
export type ArtifactChild = z.infer<typeof childSchema>
export type ArtifactDetail = z.infer<typeof artifactDetailSchema>
export type Platform = z.infer<typeof platformSchema>
