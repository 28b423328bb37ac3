// Docker schema 2 manifests and manifest lists (v2s2), pushed by skopeo and podman and pulled back.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type ClientEnv,
  type TestImages,
  COPY_NO_TLS,
  MT,
  NO_TLS,
  buildEnv,
  clientEnv,
  dockerRef,
  expectDigestRoundTrip,
  getManifest,
  hostRef,
  images,
  inspectRaw,
  login,
  registry,
  sha256,
  readDigestFile,
  repo,
  run,
  tmpPath,
} from './fixtures'

let imgs: TestImages
let env: ClientEnv

beforeAll(async () => {
  imgs = await images()
  env = clientEnv('schema2', { storageFrom: buildEnv() })
  await login(env)
})

function expectDockerImageManifest(m: any, layers: number): void {
  expect(m.schemaVersion).toBe(2)
  expect(m.mediaType).toBe(MT.dockerManifest)
  expect(m.config.mediaType).toBe(MT.dockerConfig)
  expect(m.layers).toHaveLength(layers)
  for (const l of m.layers) expect(l.mediaType).toBe(MT.dockerLayer)
}

async function podmanPull(name: string, ref: string, extra: string[] = []): Promise<any> {
  const pull = clientEnv(name)
  await login(pull)
  await run('podman', ['pull', NO_TLS, ...extra, ref], { env: pull })
  return JSON.parse((await run('podman', ['image', 'inspect', ref], { env: pull })).stdout)[0]
}

describe('Docker schema 2', () => {
  it('skopeo copy -f v2s2: a Docker manifest, digests agree, pulled back by skopeo and podman', async () => {
    const r = repo('v2s2-skopeo')
    const df = tmpPath(env, 'skopeo.digest')
    await run('skopeo', ['copy', ...COPY_NO_TLS, '-f', 'v2s2', '--digestfile', df, `containers-storage:${imgs.three.ref}`, dockerRef(r)], { env })
    const digest = readDigestFile(df)
    const m = await expectDigestRoundTrip(env, r, 'v1', digest, MT.dockerManifest)
    expectDockerImageManifest(m, 3)
    const config = await registry().client().get(`/v2/${r}/blobs/${m.config.digest}`)
    expect(config.status, config.describe()).toBe(200)
    expect(config.json().rootfs.diff_ids).toEqual(imgs.three.diffIds)

    // A dir: destination keeps the Docker manifest byte for byte (an oci: layout would convert it).
    const dir = tmpPath(env, 'v2s2-dir')
    await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(r), `dir:${dir}`], { env })
    expect(sha256(fs.readFileSync(path.join(dir, 'manifest.json'))), 'dir:/manifest.json digest').toBe(digest)
    const info = await podmanPull('schema2-pull-skopeo', hostRef(r))
    expect(info.Digest).toBe(digest)
    expect(info.RootFS.Layers).toEqual(imgs.three.diffIds)
  })

  it('podman push --format v2s2 (10 layers): a Docker manifest, digests agree, podman pull', async () => {
    const r = repo('v2s2-podman')
    const df = tmpPath(env, 'podman.digest')
    await run('podman', ['push', NO_TLS, '--format', 'v2s2', '--digestfile', df, imgs.ten.ref, hostRef(r)], { env })
    const digest = readDigestFile(df)
    const m = await expectDigestRoundTrip(env, r, 'v1', digest, MT.dockerManifest)
    expectDockerImageManifest(m, 10)
    const info = await podmanPull('schema2-pull-podman', hostRef(r))
    expect(info.Digest).toBe(digest)
    expect(info.RootFS.Layers).toEqual(imgs.ten.diffIds)
  })

  it('podman manifest push --all --format v2s2: a Docker manifest list of Docker manifests', async () => {
    const r = repo('v2s2-list')
    const df = tmpPath(env, 'list.digest')
    await run('podman', ['manifest', 'push', '--all', NO_TLS, '--format', 'v2s2', '--digestfile', df, imgs.multi.ref, dockerRef(r)], { env })
    const digest = readDigestFile(df)
    const list = await expectDigestRoundTrip(env, r, 'v1', digest, MT.dockerList)
    expect(list.manifests).toHaveLength(2)
    expect(list.manifests.map((e: any) => e.platform.architecture).sort()).toEqual(['amd64', 'arm64'])
    for (const e of list.manifests) {
      expect(e.mediaType).toBe(MT.dockerManifest)
      const res = await getManifest(r, e.digest, MT.dockerManifest)
      expect(res.status, res.describe()).toBe(200)
      expect(res.header('docker-content-digest')).toBe(e.digest)
      expectDockerImageManifest(res.json(), 1)
    }
    const raw = await inspectRaw(env, dockerRef(r))
    expect(raw.json.mediaType).toBe(MT.dockerList)

    // The list digest survives a registry-to-registry skopeo copy --all.
    const copy = repo('v2s2-list-copy')
    const df2 = tmpPath(env, 'list-copy.digest')
    await run('skopeo', ['copy', '--all', ...COPY_NO_TLS, '--digestfile', df2, dockerRef(r), dockerRef(copy)], { env })
    expect(readDigestFile(df2)).toBe(digest)

    const arm = list.manifests.find((e: any) => e.platform.architecture === 'arm64')
    const info = await podmanPull('schema2-pull-list-arm64', hostRef(r), ['--arch', 'arm64'])
    expect(info.Architecture).toBe('arm64')
    expect(info.RootFS.Layers).toEqual(imgs.armone.diffIds)
    expect(info.RepoDigests).toContain(`${hostRef(r).replace(/:v1$/, '')}@${arm.digest}`)
  })
})
