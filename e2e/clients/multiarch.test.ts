// A two-platform image index (amd64 + arm64): buildah manifest push --all, skopeo copy --all in both
// directions through an OCI layout, podman pull --arch, skopeo inspect --override-arch; a platform
// manifest cannot be deleted while its index exists, deleting the index takes them along.
import * as fs from 'node:fs'
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
  ociLayoutBlob,
  ociLayoutDigest,
  readDigestFile,
  registry,
  repo,
  runExpectingFailure,
  run,
  tmpPath,
} from './fixtures'

let imgs: TestImages
let env: ClientEnv
const multi = () => repo('multi')
let indexDigest = ''
let index: any

beforeAll(async () => {
  imgs = await images()
  env = clientEnv('multiarch', { storageFrom: buildEnv() })
  await login(env)
})

function platformEntry(idx: any, arch: string): any {
  const found = (idx.manifests as any[]).filter((m) => m.platform?.architecture === arch && m.platform?.os === 'linux')
  expect(found, `index entries for linux/${arch}: ${JSON.stringify(idx.manifests)}`).toHaveLength(1)
  return found[0]
}

describe('two-platform index', () => {
  it('buildah manifest push --all: an index of two platforms, digests agree, children readable by digest', async () => {
    const df = tmpPath(env, 'multi.digest')
    await run('buildah', ['manifest', 'push', '--all', NO_TLS, '--digestfile', df, imgs.multi.ref, dockerRef(multi())], { env })
    indexDigest = readDigestFile(df)
    const raw = await inspectRaw(env, dockerRef(multi()))
    expect([MT.ociIndex, MT.dockerList]).toContain(raw.json.mediaType)
    index = await expectDigestRoundTrip(env, multi(), 'v1', indexDigest, raw.json.mediaType)
    expect(index.manifests).toHaveLength(2)
    for (const arch of ['amd64', 'arm64']) {
      const e = platformEntry(index, arch)
      const res = await getManifest(multi(), e.digest, e.mediaType)
      expect(res.status, res.describe()).toBe(200)
      expect(res.header('docker-content-digest')).toBe(e.digest)
      expect(res.body.length, 'child manifest size = index descriptor size').toBe(e.size)
      const m = res.json()
      expect(m.layers).toHaveLength(1)
    }
  })

  it('skopeo copy --all registry → OCI layout → registry keeps the index digest', async () => {
    expect(indexDigest, 'needs the index pushed by the previous test').not.toBe('')
    const layout = tmpPath(env, 'multi-layout')
    await run('skopeo', ['copy', '--all', ...COPY_NO_TLS, dockerRef(multi()), `oci:${layout}:v1`], { env })
    expect(ociLayoutDigest(layout, 'v1').digest, 'index.json digest = registry index digest').toBe(indexDigest)
    const idx = JSON.parse(ociLayoutBlob(layout, indexDigest).toString('utf8'))
    for (const [arch, img] of [
      ['amd64', imgs.one],
      ['arm64', imgs.armone],
    ] as const) {
      const m = JSON.parse(ociLayoutBlob(layout, platformEntry(idx, arch).digest).toString('utf8'))
      const config = JSON.parse(ociLayoutBlob(layout, m.config.digest).toString('utf8'))
      expect(config.architecture).toBe(arch)
      expect(config.rootfs.diff_ids).toEqual(img.diffIds)
      for (const l of m.layers) ociLayoutBlob(layout, l.digest)
    }

    const copy = repo('multi-copy')
    const df = tmpPath(env, 'multi-copy.digest')
    await run('skopeo', ['copy', '--all', ...COPY_NO_TLS, '--digestfile', df, `oci:${layout}:v1`, dockerRef(copy)], { env })
    expect(readDigestFile(df), 'skopeo copy --all oci → registry keeps the index digest').toBe(indexDigest)
    await expectDigestRoundTrip(env, copy, 'v1', indexDigest, index.mediaType)
    fs.rmSync(layout, { recursive: true, force: true })
  })

  it('skopeo inspect --override-arch arm64 resolves the arm64 image', async () => {
    const r = await run('skopeo', ['inspect', NO_TLS, '--override-arch', 'arm64', dockerRef(multi())], { env })
    const info = JSON.parse(r.stdout)
    expect(info.Architecture).toBe('arm64')
    expect(info.Layers).toHaveLength(1)
  })

  it('podman pull --arch arm64 into an empty store gets the arm64 image', async () => {
    expect(indexDigest).not.toBe('')
    const pull = clientEnv('multiarch-pull-arm64')
    await login(pull)
    await run('podman', ['pull', NO_TLS, '--arch', 'arm64', hostRef(multi())], { env: pull })
    const info = JSON.parse((await run('podman', ['image', 'inspect', hostRef(multi())], { env: pull })).stdout)[0]
    expect(info.Architecture).toBe('arm64')
    expect(info.RootFS.Layers, 'diff IDs of the pulled arm64 image').toEqual(imgs.armone.diffIds)
    const arm = platformEntry(index, 'arm64')
    const repoName = hostRef(multi()).replace(/:v1$/, '')
    expect(info.RepoDigests).toContain(`${repoName}@${arm.digest}`)
    expect(info.RepoDigests).toContain(`${repoName}@${indexDigest}`)
    // nothing of the amd64 image was stored
    const images = JSON.parse((await run('podman', ['images', '--format', 'json'], { env: pull })).stdout)
    expect(images, 'podman pull --arch arm64 stores one image').toHaveLength(1)
  })
})

describe('deleting from a two-platform index', () => {
  it('skopeo delete / DELETE of a platform manifest is refused while the index exists; deleting the index takes them along', async () => {
    const r = repo('multi-delete')
    const df = tmpPath(env, 'multi-delete.digest')
    await run('buildah', ['manifest', 'push', '--all', NO_TLS, '--digestfile', df, imgs.multi.ref, dockerRef(r)], { env })
    const digest = readDigestFile(df)
    const idx = (await inspectRaw(env, dockerRef(r))).json
    const children = [platformEntry(idx, 'amd64'), platformEntry(idx, 'arm64')]
    const arm = children[1]

    const refused = await runExpectingFailure('skopeo', ['delete', NO_TLS, dockerRef(r, arm.digest)], { env })
    expect(refused.stderr).toMatch(/referenced by index|denied/i)
    const del = await registry().client().deleteManifest(r, arm.digest)
    expect(del.status, del.describe()).toBe(409)
    expect(del.json().errors[0]).toMatchObject({ code: 'DENIED', detail: { digest: arm.digest, referencedBy: [digest] } })

    // The index still resolves for arm64.
    const layout = tmpPath(env, 'multi-delete-arm64')
    await run('skopeo', ['copy', '--override-arch', 'arm64', ...COPY_NO_TLS, dockerRef(r), `oci:${layout}:arm64`], { env })
    const copied = JSON.parse(ociLayoutBlob(layout, ociLayoutDigest(layout, 'arm64').digest).toString('utf8'))
    expect(JSON.parse(ociLayoutBlob(layout, copied.config.digest).toString('utf8')).architecture).toBe('arm64')
    fs.rmSync(layout, { recursive: true, force: true })

    await run('skopeo', ['delete', NO_TLS, dockerRef(r, digest)], { env })
    for (const child of [{ digest }, ...children]) {
      const res = await getManifest(r, child.digest, [MT.ociIndex, MT.dockerList, MT.ociManifest, MT.dockerManifest].join(', '))
      expect(res.status, `${child.digest} after deleting the index`).toBe(404)
    }
  })
})
