// Artifacts of a repository for /api/v1: list (paginated, filtered, newest first), one artifact with
// its manifest, config summary, layers and children, the tags of one artifact (paginated), and the
// writes (delete an artifact, delete or add a tag). Every operation looks the repository up within
// the project named in the request and after `can()` said yes (lib/projects/access.ts).
//
// Writes go through the registry index /v2 uses (the runtime's: PrismaRegistryIndex behind the
// process's manifest cache), so there is one source of truth and /v2 sees them at once; the
// index also records their webhook events, in the same statement as the change.
import { z } from 'zod'
import type { PrismaClient } from '../db/prisma'
import type { Prisma } from '../generated/prisma/client'
import type { ProjectAction } from '../auth/permissions'
import { conflict, invalid, notFound } from '../errors'
import { skipTake, type Page, type PageRequest } from '../pagination'
import { auditActor, recordAudit, type Caller } from '../audit'
import { requireProject, type LoadedProject } from '../projects/access'
import { isValidTag, looksLikeDigest, isSupportedDigest, MediaTypes, parseManifest, type Actor, type DeleteManifestResult } from '@registry-core'
import { DIGEST_RULE, TAG_RULE } from '../name-rules'
import { runtime } from '../runtime'
import { likeLiteral } from '../db/like'
import { listedOnItsOwn } from './listed'
import { projectNameOf } from '../auth/project-access'
import { activeRules } from '../immutability/enforce'
import { ruleProtecting } from '../immutability/match'
import { EMBEDDED_TAG_LIMIT, type ArtifactDetail, type ArtifactView, type Platform, type TagView } from './schema'

// ---------------------------------------------------------------- schemas (also the OpenAPI document's)

// The response shapes live in ./schema (the dashboard imports them too); the request shapes here.
export * from './schema'

export const artifactListQuerySchema = z.object({
  tag: z.string().max(128, 'tag must be at most 128 characters').optional().describe('substring of a tag name; matching tags come first in `tags`'),
  tagged: z
    .enum(['true', 'false'], { error: 'tagged must be true or false' })
    .optional()
    .describe('the untagged children of an index are never listed on their own: they are part of the index (`children`)'),
})

export const tagCreateSchema = z.strictObject({
  name: z.string({ error: 'name is required' }).refine(isValidTag, `name is not a valid tag: ${TAG_RULE}`),
})

// ---------------------------------------------------------------- kinds and platforms

const INDEX_TYPES = new Set<string>([MediaTypes.ociIndex, MediaTypes.dockerManifestList])
export const IMAGE_CONFIG_TYPES = new Set<string>(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'])

export function kindOf(mediaType: string, artifactType: string | null): ArtifactView['kind'] {
  if (INDEX_TYPES.has(mediaType)) return 'index'
  if (artifactType !== null && IMAGE_CONFIG_TYPES.has(artifactType)) return 'image'
  return 'artifact'
}

function platformOf(value: unknown): Platform | null {
  if (!value || typeof value !== 'object') return null
  const p = value as Record<string, unknown>
  if (typeof p.os !== 'string' || typeof p.architecture !== 'string') return null
  return { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) }
}

const MAX_CONFIG_BYTES = 1024 * 1024
/** An image config blob as JSON (content-addressed, so cached per digest for the life of the process); null when unreadable. */
async function readConfig(digest: string): Promise<Record<string, unknown> | null> {
  const { blobs, caches } = runtime()
  const configCache = caches.imageConfigs
  if (configCache.has(digest)) return configCache.get(digest)!
  let parsed: Record<string, unknown> | null = null
  try {
    const stream = await blobs.read(digest)
    const chunks: Buffer[] = []
    let total = 0
    for await (const chunk of stream) {
      total += (chunk as Buffer).length
      if (total > MAX_CONFIG_BYTES) {
        stream.destroy()
        break
      }
      chunks.push(chunk as Buffer)
    }
    if (total <= MAX_CONFIG_BYTES) {
      const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as Record<string, unknown>
    }
  } catch {
    return null // missing or unreadable: not cached, it may appear later
  }
  if (configCache.size >= 10_000) configCache.delete(configCache.keys().next().value!)
  configCache.set(digest, parsed)
  return parsed
}

// ---------------------------------------------------------------- lookup

export interface LoadedRepository extends LoadedProject {
  repository: { id: number; name: string }
}

/** The repository `project/name`, if the caller may do `action` in its project; else 401/403/404. */
export async function requireRepository(prisma: PrismaClient, caller: Caller, projectName: string, name: string, action: ProjectAction): Promise<LoadedRepository> {
  const loaded = await requireProject(prisma, caller.subject, projectName, action)
  const fullName = `${loaded.project.name}/${name}`
  const repository = await prisma.repository.findFirst({ where: { name: fullName, projectId: loaded.project.id }, select: { id: true, name: true } })
  if (!repository) throw notFound(`repository ${fullName} not found`)
  return { ...loaded, repository }
}

const listSelect = {
  id: true,
  digest: true,
  mediaType: true,
  artifactType: true,
  size: true,
  pushedAt: true,
  lastPulledAt: true,
  pullCount: true,
} satisfies Prisma.ArtifactSelect

type ArtifactRow = Prisma.ArtifactGetPayload<{ select: typeof listSelect }>

/**
 * The newest EMBEDDED_TAG_LIMIT tags of each artifact (one query: a LIMIT per artifact), the ones
 * containing `match` first (so a tag filter shows what it found), and each artifact's tag count.
 */
async function embeddedTags(prisma: PrismaClient, artifactIds: number[], match: string | null) {
  const [tags, counts] = await Promise.all([
    prisma.$queryRaw<{ artifactId: number; name: string; updatedAt: Date; checkedUpstreamAt: Date | null }[]>`
      SELECT a."id" AS "artifactId", t."name", t."updatedAt", t."checkedUpstreamAt"
        FROM unnest(${artifactIds}::int[]) AS a("id")
        CROSS JOIN LATERAL (
          SELECT "name", "updatedAt", "checkedUpstreamAt", "id" FROM "Tag"
           WHERE "artifactId" = a."id"
           ORDER BY (${match}::text IS NOT NULL AND strpos("name", ${match}::text) > 0) DESC, "updatedAt" DESC, "id" DESC
           LIMIT ${EMBEDDED_TAG_LIMIT}
        ) t
       ORDER BY a."id", (${match}::text IS NOT NULL AND strpos(t."name", ${match}::text) > 0) DESC, t."updatedAt" DESC, t."id" DESC`,
    prisma.tag.groupBy({ by: ['artifactId'], where: { artifactId: { in: artifactIds } }, _count: { _all: true } }),
  ])
  return { tags, countOf: new Map(counts.map((c) => [c.artifactId, c._count._all])) }
}

/** Tags, references, children and referrers of a page of artifacts: one query each (no N+1). */
async function toViews(prisma: PrismaClient, repository: RepositoryRef, rows: ArtifactRow[], tagMatch: string | null = null): Promise<ArtifactView[]> {
  if (!rows.length) return []
  const repositoryId = repository.id
  const ids = rows.map((r) => r.id)
  const [{ tags, countOf }, references, referrers, toTagView] = await Promise.all([
    embeddedTags(prisma, ids, tagMatch),
    prisma.artifactReference.findMany({
      where: { artifactId: { in: ids } },
      select: { artifactId: true, digest: true, kind: true, size: true, mediaType: true, platform: true },
    }),
    prisma.artifact.findMany({
      where: { repositoryId, subjectDigest: { in: rows.map((r) => r.digest) } },
      select: { digest: true, artifactType: true, subjectDigest: true },
      orderBy: { id: 'asc' },
    }),
    tagViewer(prisma, repository.name),
  ])
  const group = <T>(items: T[], key: (item: T) => number | string) => {
    const map = new Map<number | string, T[]>()
    for (const item of items) {
      const k = key(item)
      const list = map.get(k)
      if (list) list.push(item)
      else map.set(k, [item])
    }
    return map
  }
  const childDigests = references.filter((r) => r.kind === 'manifest').map((r) => r.digest)
  const present = new Set(
    childDigests.length ? (await prisma.artifact.findMany({ where: { repositoryId, digest: { in: childDigests } }, select: { digest: true } })).map((a) => a.digest) : [],
  )
  const tagsOf = group(tags, (t) => t.artifactId)
  const refsOf = group(references, (r) => r.artifactId)
  const referrersOf = group(referrers, (r) => r.subjectDigest!)

  return Promise.all(
    rows.map(async (row) => {
      const kind = kindOf(row.mediaType, row.artifactType)
      const refs = refsOf.get(row.id) ?? []
      let platforms: Platform[] = []
      if (kind === 'index') {
        platforms = refs.flatMap((r) => {
          const p = r.kind === 'manifest' ? platformOf(r.platform) : null
          return p ? [p] : []
        })
      } else if (kind === 'image') {
        const config = refs.find((r) => r.kind === 'blob' && IMAGE_CONFIG_TYPES.has(r.mediaType))
        const json = config ? await readConfig(config.digest) : null
        const p = platformOf(json)
        if (p) platforms = [p]
      }
      return {
        digest: row.digest,
        mediaType: row.mediaType,
        artifactType: row.artifactType,
        kind,
        size: Number(row.size),
        platforms,
        tags: (tagsOf.get(row.id) ?? []).map(toTagView),
        tagCount: countOf.get(row.id) ?? 0,
        pushedAt: row.pushedAt.toISOString(),
        lastPulledAt: row.lastPulledAt?.toISOString() ?? null,
        pullCount: Number(row.pullCount),
        referrers: (referrersOf.get(row.digest) ?? []).map((r) => ({ digest: r.digest, artifactType: r.artifactType })),
        children: refs
          .filter((r) => r.kind === 'manifest')
          .map((r) => ({ digest: r.digest, mediaType: r.mediaType, size: Number(r.size), platform: platformOf(r.platform), present: present.has(r.digest) })),
      }
    }),
  )
}

/** The untagged manifests an index of the repository references: listed under their index (`children`). */
async function foldedChildIds(prisma: PrismaClient, repositoryId: number): Promise<number[]> {
  const rows = await prisma.$queryRaw<{ id: number }[]>`
    SELECT c."id" FROM "Artifact" c WHERE c."repositoryId" = ${repositoryId} AND NOT ${listedOnItsOwn('c')}`
  return rows.map((r) => r.id)
}

export async function listArtifacts(
  prisma: PrismaClient,
  caller: Caller,
  projectName: string,
  name: string,
  filter: z.infer<typeof artifactListQuerySchema>,
  page: PageRequest,
): Promise<Page<ArtifactView>> {
  const { repository } = await requireRepository(prisma, caller, projectName, name, 'repository:pull')
  const tagConditions: Prisma.ArtifactWhereInput[] = []
  // The repository condition is redundant for the result (an artifact's tags are in its repository)
  // but lets PostgreSQL read only this repository's tags, through the (repositoryId, name) index,
  // instead of scanning every tag of the registry for the substring (bench/dashboard.ts).
  if (filter.tag) tagConditions.push({ tags: { some: { repositoryId: repository.id, name: { contains: likeLiteral(filter.tag) } } } })
  if (filter.tagged === 'true') tagConditions.push({ tags: { some: {} } })
  if (filter.tagged === 'false') tagConditions.push({ tags: { none: {} } })
  const folded = await foldedChildIds(prisma, repository.id)
  if (folded.length) tagConditions.push({ id: { notIn: folded } })
  const where: Prisma.ArtifactWhereInput = { repositoryId: repository.id, ...(tagConditions.length ? { AND: tagConditions } : {}) }
  const [rows, total] = await Promise.all([
    prisma.artifact.findMany({ where, select: listSelect, orderBy: [{ pushedAt: 'desc' }, { id: 'desc' }], ...skipTake(page) }),
    prisma.artifact.count({ where }),
  ])
  return { items: await toViews(prisma, repository, rows, filter.tag || null), total }
}

type RepositoryRef = { id: number; name: string }

/** Turns tag rows of `repository` into views, with the lock of the project's immutability rules (read once). */
async function tagViewer(prisma: PrismaClient, repository: string): Promise<(tag: { name: string; updatedAt: Date; checkedUpstreamAt: Date | null }) => TagView> {
  const rules = await activeRules(prisma, projectNameOf(repository) ?? '')
  return (tag) => ({
    name: tag.name,
    pushedAt: new Date(tag.updatedAt).toISOString(),
    checkedUpstreamAt: tag.checkedUpstreamAt ? new Date(tag.checkedUpstreamAt).toISOString() : null,
    immutable: ruleProtecting(rules, repository, tag.name) !== undefined,
  })
}

/** The id of the artifact `reference` names in the repository: a digest, or one of its tags; null when none. */
async function findArtifactId(prisma: PrismaClient, repositoryId: number, reference: string): Promise<number | null> {
  if (looksLikeDigest(reference)) {
    if (!isSupportedDigest(reference)) throw invalid(`the digest ${reference} is not valid: ${DIGEST_RULE}`)
    const artifact = await prisma.artifact.findUnique({ where: { repositoryId_digest: { repositoryId, digest: reference } }, select: { id: true } })
    return artifact?.id ?? null
  }
  const tag = await prisma.tag.findUnique({ where: { repositoryId_name: { repositoryId, name: reference } }, select: { artifactId: true } })
  return tag?.artifactId ?? null
}

async function findArtifact(prisma: PrismaClient, repositoryId: number, reference: string) {
  const id = await findArtifactId(prisma, repositoryId, reference)
  return id === null ? null : prisma.artifact.findUnique({ where: { id }, select: { ...listSelect, content: true } })
}

function stringArray(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null
}

export async function getArtifact(prisma: PrismaClient, caller: Caller, projectName: string, name: string, reference: string): Promise<ArtifactDetail> {
  const { repository } = await requireRepository(prisma, caller, projectName, name, 'repository:pull')
  const row = await findArtifact(prisma, repository.id, reference)
  if (!row) throw notFound(`artifact ${reference} not found in ${repository.name}`)
  const { content, ...rest } = row
  const [view] = await toViews(prisma, repository, [rest])
  let manifest: Record<string, unknown> = {}
  try {
    manifest = JSON.parse(Buffer.from(content).toString('utf8')) as Record<string, unknown>
  } catch {
    // stored manifests were validated on push; keep the rest of the answer if one is not JSON
  }
  const descriptors = (value: unknown) =>
    Array.isArray(value) ? value.filter((d): d is Record<string, unknown> => !!d && typeof d === 'object' && typeof (d as Record<string, unknown>).digest === 'string') : []
  const layers = descriptors(manifest.layers).map((d) => ({ digest: String(d.digest), mediaType: String(d.mediaType ?? ''), size: Number(d.size ?? 0) }))
  const presentChildren = new Set(view.children.filter((c) => c.present).map((c) => c.digest))
  const children = descriptors(manifest.manifests).map((d) => ({
    digest: String(d.digest),
    mediaType: String(d.mediaType ?? ''),
    size: Number(d.size ?? 0),
    platform: platformOf(d.platform),
    present: presentChildren.has(String(d.digest)),
  }))
  let config: ArtifactDetail['config'] = null
  const configDescriptor = manifest.config as Record<string, unknown> | undefined
  if (view.kind === 'image' && configDescriptor && typeof configDescriptor.digest === 'string') {
    const json = await readConfig(configDescriptor.digest)
    if (json) {
      const inner = (json.config && typeof json.config === 'object' ? json.config : {}) as Record<string, unknown>
      const labels: Record<string, string> = {}
      if (inner.Labels && typeof inner.Labels === 'object') {
        for (const [k, v] of Object.entries(inner.Labels as Record<string, unknown>)) if (typeof v === 'string') labels[k] = v
      }
      config = {
        os: typeof json.os === 'string' ? json.os : null,
        architecture: typeof json.architecture === 'string' ? json.architecture : null,
        created: typeof json.created === 'string' ? json.created : null,
        entrypoint: stringArray(inner.Entrypoint),
        cmd: stringArray(inner.Cmd),
        labels,
      }
    }
  }
  return { ...view, manifest, config, layers, children }
}

/** The tags of one artifact (by digest or by one of its tags), newest first like Harbor (push time, then id). */
export async function listArtifactTags(prisma: PrismaClient, caller: Caller, projectName: string, name: string, reference: string, page: PageRequest): Promise<Page<TagView>> {
  const { repository } = await requireRepository(prisma, caller, projectName, name, 'repository:pull')
  const artifactId = await findArtifactId(prisma, repository.id, reference)
  if (artifactId === null) throw notFound(`artifact ${reference} not found in ${repository.name}`)
  const where = { artifactId }
  const [rows, total, toTagView] = await Promise.all([
    prisma.tag.findMany({ where, select: { name: true, updatedAt: true, checkedUpstreamAt: true }, orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }], ...skipTake(page) }),
    prisma.tag.count({ where }),
    tagViewer(prisma, repository.name),
  ])
  return { items: rows.map(toTagView), total }
}

// ---------------------------------------------------------------- writes (through the /v2 index)

type WriteEvent =
  | { action: 'artifact.delete'; repository: string; digest: string; tags: string[] }
  | { action: 'tag.delete'; repository: string; digest: string; tag: string }
  | { action: 'tag.create'; repository: string; digest: string; tag: string }

/** The caller as the index sees it: the writes below record it in their webhook events. */
function registryActor(caller: Caller): Actor {
  return { name: auditActor(caller).actor }
}

/** After every successful write: the audit entry (the webhook event is written by the index itself). */
async function afterWrite(prisma: PrismaClient, who: AuditWho, projectId: number, event: WriteEvent): Promise<void> {
  const resource = 'tag' in event ? `${event.repository}:${event.tag}` : `${event.repository}@${event.digest}`
  await recordAudit(prisma, {
    ...who,
    action: event.action,
    resourceType: 'tag' in event ? 'tag' : 'artifact',
    resource,
    projectId,
    detail: 'tag' in event ? { digest: event.digest } : { tags: event.tags },
  })
}

/** Who an audit entry names: a caller's name and address, or a process such as `retention`. */
type AuditWho = { actor: string; remoteAddress: string | null }

/**
 * The one delete path of an artifact outside /v2: through the index (webhook events, immutability)
 * as `who`, then the audit entries of the artifact and of the children that went with it. The
 * index's answer: null when it was not there, not ok while an index references it.
 */
export async function removeArtifact(prisma: PrismaClient, who: AuditWho, projectId: number, repository: string, digest: string): Promise<DeleteManifestResult | null> {
  const gone = await runtime().index.deleteManifest(repository, digest, { name: who.actor })
  if (!gone?.ok) return gone
  await afterWrite(prisma, who, projectId, { action: 'artifact.delete', repository, digest, tags: gone.tags })
  for (const child of gone.children) await afterWrite(prisma, who, projectId, { action: 'artifact.delete', repository, digest: child.digest, tags: [] })
  return gone
}

/**
 * Deletes an artifact (by digest, or by a tag naming it), every tag pointing at it and, for an index,
 * the children nothing else needs (as Harbor does). 409 while an index in the repository references it.
 */
export async function deleteArtifact(prisma: PrismaClient, caller: Caller, projectName: string, name: string, reference: string): Promise<void> {
  const { repository, project } = await requireRepository(prisma, caller, projectName, name, 'repository:delete')
  const row = await findArtifact(prisma, repository.id, reference)
  if (!row) throw notFound(`artifact ${reference} not found in ${repository.name}`)
  const gone = await removeArtifact(prisma, auditActor(caller), project.id, repository.name, row.digest)
  if (!gone) throw notFound(`artifact ${reference} not found in ${repository.name}`)
  if (!gone.ok) {
    throw conflict(`artifact ${row.digest} is part of index ${gone.referencedBy.join(', ')}; delete the index instead`, {
      digest: row.digest,
      referencedBy: gone.referencedBy,
    })
  }
}

/** Deletes one tag of the artifact `reference`; the artifact stays. */
export async function deleteTag(prisma: PrismaClient, caller: Caller, projectName: string, name: string, reference: string, tag: string): Promise<void> {
  const { repository, project } = await requireRepository(prisma, caller, projectName, name, 'repository:delete')
  const row = await findArtifact(prisma, repository.id, reference)
  if (!row) throw notFound(`artifact ${reference} not found in ${repository.name}`)
  const current = await prisma.tag.findUnique({ where: { repositoryId_name: { repositoryId: repository.id, name: tag } }, select: { artifactId: true } })
  if (!current || current.artifactId !== row.id) throw notFound(`tag ${tag} not found on artifact ${reference}`)
  const gone = await runtime().index.deleteTag(repository.name, tag, registryActor(caller))
  if (!gone) throw notFound(`tag ${tag} not found in ${repository.name}`)
  await afterWrite(prisma, auditActor(caller), project.id, { action: 'tag.delete', repository: repository.name, digest: gone.digest, tag })
}

/**
 * Adds a tag to an existing artifact, by recording the artifact's stored manifest under the tag
 * through the index (as a `PUT /v2/<name>/manifests/<tag>` of the same bytes would).
 * A tag that already names another artifact is NOT moved: 409 (delete it first). On the same
 * artifact it is a no-op (200).
 */
export async function addTag(
  prisma: PrismaClient,
  caller: Caller,
  projectName: string,
  name: string,
  reference: string,
  input: z.infer<typeof tagCreateSchema>,
): Promise<{ created: boolean; artifact: ArtifactView }> {
  const { repository, project } = await requireRepository(prisma, caller, projectName, name, 'repository:push')
  const row = await findArtifact(prisma, repository.id, reference)
  if (!row) throw notFound(`artifact ${reference} not found in ${repository.name}`)
  const existing = await prisma.tag.findUnique({ where: { repositoryId_name: { repositoryId: repository.id, name: input.name } }, select: { artifactId: true } })
  const { content, ...rest } = row
  if (existing && existing.artifactId !== row.id) throw conflict(`tag ${input.name} already names another artifact in ${repository.name}; delete it first`)
  if (!existing) {
    const record = { ...parseManifest(Buffer.from(content), row.mediaType, row.digest.startsWith('sha512:') ? 'sha512' : 'sha256'), digest: row.digest }
    const result = await runtime().index.putManifest(repository.name, record, input.name, registryActor(caller))
    if (!result.ok) throw conflict(`artifact ${row.digest} references content missing from ${repository.name}`, { missing: result.missing })
    await afterWrite(prisma, auditActor(caller), project.id, { action: 'tag.create', repository: repository.name, digest: row.digest, tag: input.name })
  }
  const fresh = await prisma.artifact.findUnique({ where: { id: row.id }, select: listSelect })
  const [artifact] = await toViews(prisma, repository, [fresh ?? rest])
  return { created: !existing, artifact }
}
