// Push and pull single-platform images with skopeo, podman and buildah; an umoci OCI layout.
import * as fs from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type ClientEnv,
  type LocalImage,
  type TestImages,
  COPY_NO_TLS,
  MT,
  NO_TLS,
  buildEnv,
  clientEnv,
  dockerRef,
  expectDigestRoundTrip,
  expectUploaded,
  hostRef,
  images,
  login,
  ociLayoutBlob,
  ociLayoutDigest,
  readDigestFile,
  repo,
  run,
  tmpPath,
} from './fixtures'

let imgs: TestImages

beforeAll(async () => {
  imgs = await images()
})

/** Check an OCI layout written by `skopeo copy docker://… oci:…` against the pushed manifest. */
function expectLayoutMatches(layout: string, digest: string, manifest: any, img: LocalImage): void {
  expect(ociLayoutDigest(layout, 'v1').digest, 'index.json digest of the pulled layout').toBe(digest)
  const config = JSON.parse(ociLayoutBlob(layout, manifest.config.digest).toString('utf8'))
  expect(config.architecture).toBe(img.arch)
  expect(config.rootfs.diff_ids, 'pulled config diff_ids = the built image').toEqual(img.diffIds)
  for (const l of manifest.layers) {
    const st = fs.statSync(`${layout}/blobs/sha256/${l.digest.slice(7)}`)
    expect(st.size, `size of pulled layer ${l.digest}`).toBe(l.size)
    if (l.size < 16 * 1024 * 1024) ociLayoutBlob(layout, l.digest) // re-hash (the big one was verified by skopeo)
  }
}

async function podmanPullAndCheck(name: string, ref: string, digest: string, img: LocalImage): Promise<void> {
  // An empty store, so every blob is really fetched from the registry.
  const pull = clientEnv(`pull-${name}`)
  await login(pull)
  await run('podman', ['pull', NO_TLS, ref], { env: pull })
  const info = JSON.parse((await run('podman', ['image', 'inspect', ref], { env: pull })).stdout)[0]
  expect(info.Digest, 'podman image inspect .Digest after pull = pushed digest').toBe(digest)
  expect(info.RootFS.Layers, 'pulled diff IDs = built image').toEqual(img.diffIds)
  expect(info.Architecture).toBe(img.arch)
}

const cases = [
  ['one', 1],
  ['three', 3],
  ['ten', 10],
  ['big', 1],
] as const

describe.each(cases)('image "%s" (%i layer(s))', (name, layerCount) => {
  it('skopeo copy push → digests agree → skopeo copy pull into an OCI layout', async () => {
    const img = imgs[name]
    const env: ClientEnv = clientEnv(`skopeo-${name}`, { storageFrom: buildEnv() })
    await login(env)
    const r = repo(`skopeo-${name}`)
    const df = tmpPath(env, 'digest')
    const push = await run('skopeo', ['--debug', 'copy', ...COPY_NO_TLS, '--digestfile', df, `containers-storage:${img.ref}`, dockerRef(r)], { env })
    const digest = readDigestFile(df)
    const m = await expectDigestRoundTrip(env, r, 'v1', digest, MT.ociManifest)
    expect(m.layers).toHaveLength(layerCount)
    expectUploaded(push.stderr, [...m.layers.map((l: any) => l.digest), m.config.digest], r)
    for (const l of m.layers) expect(l.mediaType).toBe(MT.ociLayerGzip)
    if (name === 'big') expect(m.layers[0].size, 'gzip of 64 MiB of random data').toBeGreaterThan(64 * 1024 * 1024)

    const layout = tmpPath(env, 'pulled')
    await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(r), `oci:${layout}:v1`], { env })
    expectLayoutMatches(layout, digest, m, img)
    fs.rmSync(layout, { recursive: true, force: true })
  })

  it('podman push → digests agree → podman pull into an empty store', async () => {
    const img = imgs[name]
    // Its own (empty) blob-info cache: the layers are uploaded, not mounted from the skopeo repository.
    const env = clientEnv(`podman-${name}`, { storageFrom: buildEnv() })
    await login(env)
    const r = repo(`podman-${name}`)
    const df = tmpPath(env, 'digest')
    const push = await run('podman', ['--log-level=debug', 'push', NO_TLS, '--digestfile', df, img.ref, hostRef(r)], { env })
    const digest = readDigestFile(df)
    const m = await expectDigestRoundTrip(env, r, 'v1', digest, MT.ociManifest)
    expect(m.layers).toHaveLength(layerCount)
    expectUploaded(push.stderr, [...m.layers.map((l: any) => l.digest), m.config.digest], r)
    await podmanPullAndCheck(`podman-${name}`, hostRef(r), digest, img)
  })
})

describe('buildah and umoci', () => {
  it('buildah push (3 layers) → digests agree → podman pull', async () => {
    const img = imgs.three
    const env = clientEnv('buildah-three', { storageFrom: buildEnv() })
    await login(env)
    const r = repo('buildah-three')
    const df = tmpPath(env, 'digest')
    await run('buildah', ['push', NO_TLS, '--digestfile', df, img.ref, dockerRef(r)], { env })
    const digest = readDigestFile(df)
    const m = await expectDigestRoundTrip(env, r, 'v1', digest, MT.ociManifest)
    expect(m.layers).toHaveLength(3)
    await podmanPullAndCheck('buildah-three', hostRef(r), digest, img)
  })

  it('an umoci OCI layout keeps its manifest digest through push and pull', async () => {
    const u = imgs.umoci
    const env = clientEnv('umoci')
    await login(env)
    const r = repo('umoci')
    const df = tmpPath(env, 'digest')
    await run('skopeo', ['copy', ...COPY_NO_TLS, '--digestfile', df, `oci:${u.layout}:${u.tag}`, dockerRef(r)], { env })
    const digest = readDigestFile(df)
    // umoci's layers are gzip already, so nothing is recompressed: the registry holds the same manifest.
    expect(digest, 'pushed digest = the layout manifest digest').toBe(u.digest)
    const m = await expectDigestRoundTrip(env, r, 'v1', digest, MT.ociManifest)
    expect(m.layers).toHaveLength(u.layers)
    const layout = tmpPath(env, 'pulled')
    await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(r), `oci:${layout}:v1`], { env })
    expect(ociLayoutDigest(layout, 'v1').digest).toBe(u.digest)
    for (const l of m.layers) expect(ociLayoutBlob(layout, l.digest).equals(ociLayoutBlob(u.layout, l.digest))).toBe(true)
  })
})
