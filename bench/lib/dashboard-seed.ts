// Shared by bench/dashboard.ts and bench/dashboard-render.ts: start our server on PostgreSQL and
// seed `bench/big` with many tagged artifacts through SQL in bulk (one real image pushed over /v2
// first, so every seeded artifact's config resolves to a platform).
import { createHash, randomBytes } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startOurs, startPostgres } from './procs'
import { createPrisma } from '../../lib/db/prisma'
import type { Prisma } from '../../lib/generated/prisma/client'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

export type Call = (method: string, path: string, body?: Buffer | string, headers?: Record<string, string>) => Promise<{ res: Response; text: string }>

export interface SeedServer {
  url: string
  build: string
  databaseUrl: string
  user: string
  password: string
  /** An authenticated request that throws on any status >= 300. */
  call: Call
}

/** Starts our server (dist/server.mjs) on the given PostgreSQL, or on a throwaway one. */
export async function startSeedServer(log: (msg: string) => void, keep: boolean, givenDatabaseUrl?: string): Promise<SeedServer> {
  let databaseUrl = givenDatabaseUrl
  if (!databaseUrl) {
    log('starting a throwaway PostgreSQL 15')
    databaseUrl = (await startPostgres(keep)).url
  }
  const user = 'admin'
  const password = randomBytes(12).toString('base64url')
  const ours = await startOurs({ root: ROOT, databaseUrl, adminUser: user, adminPassword: password, extraEnv: {}, nodeArgs: [], keep })
  log(`server ${ours.url} (${ours.build})`)
  const auth = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64')
  const call: Call = async (method, path, body, headers = {}) => {
    const payload = body === undefined || typeof body === 'string' ? body : new Uint8Array(body)
    const res = await fetch(ours.url + path, { method, headers: { authorization: auth, ...headers }, body: payload })
    const text = await res.text()
    if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 300)}`)
    return { res, text }
  }
  return { url: ours.url, build: ours.build, databaseUrl, user, password, call }
}

/** Creates the private project `many` with `repositories` repositories (many/repo-0001…), inserted through SQL. */
export async function seedManyRepositories(tx: Prisma.TransactionClient, repositories: number): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "Repository" ("name", "projectId", "description", "lastPushedAt")
    SELECT 'many/repo-' || lpad(g::text, 4, '0'), p."id", 'seeded', now() - g * interval '1 minute'
      FROM "Project" p, generate_series(1, ${repositories}) g WHERE p."name" = 'many'`
}

/** Creates the private project `many` (before seeding its repositories with seedManyRepositories). */
export async function createManyProject(server: SeedServer): Promise<void> {
  await server.call('POST', '/api/v1/projects', JSON.stringify({ name: 'many', public: false }), { 'content-type': 'application/json' })
}

/**
 * Creates the private project `bench`, pushes one real image to `bench/big`, then inserts `tags`
 * tagged artifacts (v1…vN) referencing its blobs. `more` runs in the same transaction for extra rows.
 */
export async function seedTaggedRepository(server: SeedServer, tags: number, more?: (tx: Prisma.TransactionClient) => Promise<unknown>): Promise<void> {
  const { call } = server
  await call('POST', '/api/v1/projects', JSON.stringify({ name: 'bench', public: false }), { 'content-type': 'application/json' })
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/app'] }, rootfs: { type: 'layers', diff_ids: [] } }))
  const layer = randomBytes(1024)
  for (const blob of [config, layer]) {
    await call('POST', `/v2/bench/big/blobs/uploads/?digest=${sha256(blob)}`, blob, { 'content-type': 'application/octet-stream' })
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    }),
  )
  await call('PUT', '/v2/bench/big/manifests/real', manifest, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })

  const prisma = createPrisma(server.databaseUrl)
  try {
    await prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`
        INSERT INTO "Artifact" ("repositoryId", "digest", "mediaType", "artifactType", "content", "manifestSize", "size", "pushedAt")
        SELECT r."id", 'sha256:' || encode(sha256(('seed-' || g)::bytea), 'hex'), 'application/vnd.oci.image.manifest.v1+json',
               'application/vnd.oci.image.config.v1+json', ${manifest}, ${manifest.length}, ${manifest.length + config.length + layer.length} + g,
               now() - g * interval '1 second'
          FROM "Repository" r, generate_series(1, ${tags}) g WHERE r."name" = 'bench/big'`
        await tx.$executeRaw`
        INSERT INTO "ArtifactReference" ("artifactId", "digest", "kind", "size", "mediaType")
        SELECT a."id", d."digest", 'blob'::"ReferenceKind", d."size", d."mediaType"
          FROM "Artifact" a JOIN "Repository" r ON r."id" = a."repositoryId",
               (VALUES (${sha256(config)}, ${BigInt(config.length)}::bigint, 'application/vnd.oci.image.config.v1+json'),
                       (${sha256(layer)}, ${BigInt(layer.length)}::bigint, 'application/vnd.oci.image.layer.v1.tar+gzip')) AS d("digest", "size", "mediaType")
         WHERE r."name" = 'bench/big' AND a."digest" LIKE 'sha256:%' AND a."digest" <> ${sha256(manifest)}`
        await tx.$executeRaw`
        INSERT INTO "Tag" ("repositoryId", "name", "artifactId")
        SELECT a."repositoryId", 'v' || row_number() OVER (ORDER BY a."id"), a."id"
          FROM "Artifact" a JOIN "Repository" r ON r."id" = a."repositoryId"
         WHERE r."name" = 'bench/big' AND a."digest" <> ${sha256(manifest)}`
        if (more) await more(tx)
      },
      { timeout: 300_000 },
    )
    await prisma.$executeRawUnsafe('ANALYZE')
  } finally {
    await prisma.$disconnect()
  }
}
