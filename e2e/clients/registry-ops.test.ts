// Tags, registry-to-registry copies, deletes and cross-repository mounts, driven by skopeo and podman.
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
  getManifest,
  hostRef,
  images,
  inspectDigest,
  inspectRaw,
  listTags,
  login,
  ociLayoutDigest,
  readDigestFile,
  repo,
  run,
  runExpectingFailure,
  tmpPath,
} from './fixtures'

let imgs: TestImages
let env: ClientEnv

beforeAll(async () => {
  imgs = await images()
  env = clientEnv('registry-ops', { storageFrom: buildEnv() })
  await login(env)
})

async function skopeoPush(e: ClientEnv, img: LocalImage, repository: string, tag = 'v1', global: string[] = []) {
  const df = tmpPath(e, `${repository.replace(/\W/g, '_')}-${tag}.digest`)
  const r = await run('skopeo', [...global, 'copy', ...COPY_NO_TLS, '--digestfile', df, `containers-storage:${img.ref}`, dockerRef(repository, tag)], { env: e })
  return { digest: readDigestFile(df), result: r }
}

describe('tags and registry-to-registry copies', () => {
  it('skopeo copy docker:// → docker:// adds a tag and copies into another repository, digests kept; list-tags', async () => {
    const src = repo('copy-src')
    const dst = repo('copy-dst')
    const { digest } = await skopeoPush(env, imgs.three, src)

    await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(src, 'v1'), dockerRef(src, 'v2')], { env })
    expect(await inspectDigest(env, dockerRef(src, 'v2')), 'second tag, same digest').toBe(digest)
    expect(await listTags(env, src)).toEqual(['v1', 'v2'])

    const df = tmpPath(env, 'copy-dst.digest')
    await run('skopeo', ['copy', ...COPY_NO_TLS, '--digestfile', df, dockerRef(src, 'v1'), dockerRef(dst, 'v1')], { env })
    expect(readDigestFile(df), 'copy into another repository keeps the digest').toBe(digest)
    await expectDigestRoundTrip(env, dst, 'v1', digest, MT.ociManifest)
    expect(await listTags(env, dst)).toEqual(['v1'])
    // every blob is readable through the destination repository
    const layout = tmpPath(env, 'copy-dst-layout')
    await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(dst, 'v1'), `oci:${layout}:v1`], { env })
    expect(ociLayoutDigest(layout, 'v1').digest).toBe(digest)
  })

  it('skopeo list-tags lists exactly the tags pushed, for several tag spellings', async () => {
    const r = repo('tags')
    await skopeoPush(env, imgs.one, r, 'v1')
    const tags = ['v1', 'latest', '1.0.0', 'a_b-c.d', 'V2-UPPER', 'x'.repeat(128)]
    for (const t of tags.slice(1)) await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(r, 'v1'), dockerRef(r, t)], { env })
    expect(await listTags(env, r)).toEqual([...tags].sort())
    const search = await run('podman', ['search', NO_TLS, '--list-tags', '--limit', '1000', '--format', 'json', hostRef(r).replace(/:v1$/, '')], { env })
    const listed = JSON.parse(search.stdout) as { Tags: string[] }[]
    expect([...listed[0].Tags].sort(), 'podman search --list-tags').toEqual([...tags].sort())
  })
})

describe('skopeo delete', () => {
  it('removes the manifest: its tag and every other tag on that digest disappear, other digests stay', async () => {
    const r = repo('delete')
    const a = await skopeoPush(env, imgs.one, r, 'a')
    await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(r, 'a'), dockerRef(r, 'a2')], { env })
    const b = await skopeoPush(env, imgs.three, r, 'b')
    expect(a.digest).not.toBe(b.digest)
    expect(await listTags(env, r)).toEqual(['a', 'a2', 'b'])

    await run('skopeo', ['delete', NO_TLS, dockerRef(r, 'a')], { env })

    expect(await listTags(env, r), 'tags after deleting the digest of a and a2').toEqual(['b'])
    for (const t of ['a', 'a2']) {
      const gone = await runExpectingFailure('skopeo', ['inspect', NO_TLS, dockerRef(r, t)], { env })
      expect(gone.stderr, `skopeo inspect of deleted tag ${t}`).toMatch(/manifest unknown|not found/i)
    }
    const byDigest = await getManifest(r, a.digest, MT.ociManifest)
    expect(byDigest.status, `GET the deleted digest: ${byDigest.describe()}`).toBe(404)
    expect(byDigest.errors()?.[0]?.code).toBe('MANIFEST_UNKNOWN')

    expect(await inspectDigest(env, dockerRef(r, 'b')), 'the other digest stays').toBe(b.digest)
    const layout = tmpPath(env, 'delete-b')
    await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(r, 'b'), `oci:${layout}:b`], { env })
    expect(ociLayoutDigest(layout, 'b').digest).toBe(b.digest)
  })
})

/**
 * containers/image logs, at debug level, for each blob it mounts:
 *   Trying to mount /v2/<to>/blobs/uploads/?from=<from>&mount=<digest>
 * then "... mount OK" when the registry answered 201 Created, or "... started an upload instead of
 * mounting" when it answered 202 (and then uploads). Any other answer fails the push.
 */
function expectMounted(debugLog: string, layerDigests: string[], from: string, to: string): void {
  const tries = [...debugLog.matchAll(/Trying to mount (\S+)/g)].map((m) => m[1].replace(/["\\]+$/, ''))
  const ok = (debugLog.match(/\.\.\. mount OK/g) ?? []).length
  const refused = (debugLog.match(/started an upload instead of mounting/g) ?? []).length
  const relevant = debugLog
    .split('\n')
    .filter((l) => /mount|blobs\/uploads/i.test(l))
    .join('\n')
  const explain =
    `expected, for each layer, POST /v2/${to}/blobs/uploads/?from=${from}&mount=<digest> answered 201 Created ` +
    `(the client logs "... mount OK"); client debug lines about mounts and uploads:\n${relevant || '(none)'}`
  for (const d of layerDigests) {
    const hit = tries.find((t) => {
      const u = new URL(t, 'http://x')
      return u.pathname === `/v2/${to}/blobs/uploads/` && u.searchParams.get('mount') === d && u.searchParams.get('from') === from
    })
    expect(hit, `no mount attempted for layer ${d}. ${explain}`).toBeDefined()
  }
  expect(refused, `the registry answered 202 (no mount) ${refused} time(s). ${explain}`).toBe(0)
  expect(ok, `mount attempts ${tries.length}, "mount OK" ${ok}. ${explain}`).toBe(tries.length)
}

describe('cross-repository blob mount', () => {
  it('a second skopeo push of the same image to another repository mounts every layer', async () => {
    // A private, empty blob-info cache: after the first push it knows exactly one location per blob.
    const e = clientEnv('mount-skopeo', { storageFrom: buildEnv() })
    await login(e)
    const from = repo('mount-skopeo-src')
    const to = repo('mount-skopeo-dst')
    const first = await skopeoPush(e, imgs.three, from)
    const layers = (await inspectRaw(e, dockerRef(from))).json.layers.map((l: any) => l.digest) as string[]
    expect(layers).toHaveLength(3)

    const second = await skopeoPush(e, imgs.three, to, 'v1', ['--debug'])
    expectMounted(second.result.stderr, layers, from, to)
    expect(second.digest).toBe(first.digest)
    // the mounted blobs are served through the destination repository
    await expectDigestRoundTrip(e, to, 'v1', first.digest, MT.ociManifest)
    const layout = tmpPath(e, 'mounted')
    await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(to), `oci:${layout}:v1`], { env: e })
    expect(ociLayoutDigest(layout, 'v1').digest).toBe(first.digest)
  })

  it('a second podman push of the same image to another repository mounts every layer', async () => {
    const e = clientEnv('mount-podman', { storageFrom: buildEnv() })
    await login(e)
    const from = repo('mount-podman-src')
    const to = repo('mount-podman-dst')
    const df1 = tmpPath(e, 'first.digest')
    await run('podman', ['push', NO_TLS, '--digestfile', df1, imgs.ten.ref, hostRef(from)], { env: e })
    const layers = (await inspectRaw(e, dockerRef(from))).json.layers.map((l: any) => l.digest) as string[]
    expect(layers).toHaveLength(10)

    const df2 = tmpPath(e, 'second.digest')
    const second = await run('podman', ['--log-level=debug', 'push', NO_TLS, '--digestfile', df2, imgs.ten.ref, hostRef(to)], { env: e })
    expectMounted(second.stderr, layers, from, to)
    expect(readDigestFile(df2)).toBe(readDigestFile(df1))

    const pull = clientEnv('mount-podman-pull')
    await login(pull)
    await run('podman', ['pull', NO_TLS, hostRef(to)], { env: pull })
    const info = JSON.parse((await run('podman', ['image', 'inspect', hostRef(to)], { env: pull })).stdout)[0]
    expect(info.Digest).toBe(readDigestFile(df1))
    expect(info.RootFS.Layers).toEqual(imgs.ten.diffIds)
  })
})
