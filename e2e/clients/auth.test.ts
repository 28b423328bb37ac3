// Credentials: wrong password, logout, anonymous pulls, pushes without a login.
import * as fs from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type ClientEnv,
  type TestImages,
  COPY_NO_TLS,
  NO_TLS,
  anonymousPullExpected,
  buildEnv,
  clientEnv,
  dockerRef,
  hostRef,
  images,
  inspectDigest,
  login,
  ociLayoutDigest,
  publicRepo,
  readDigestFile,
  registry,
  repo,
  run,
  runExpectingFailure,
  tmpPath,
} from './fixtures'

/** What containers/image prints when the registry refuses credentials or wants some. */
const AUTH_ERROR = /unauthorized|authentication required|access to the resource is denied|denied|invalid username\/password|\b401\b|\b403\b/i

let imgs: TestImages
let loggedIn: ClientEnv

function authEntry(e: ClientEnv): unknown {
  return (JSON.parse(fs.readFileSync(e.authFile, 'utf8')).auths ?? {})[registry().host]
}

beforeAll(async () => {
  imgs = await images()
  loggedIn = clientEnv('auth-logged-in', { storageFrom: buildEnv() })
  await login(loggedIn)
})

describe('login', () => {
  it('skopeo login with a wrong password fails and stores nothing', async () => {
    const e = clientEnv('auth-wrong-password')
    const r = registry()
    const res = await runExpectingFailure('skopeo', ['login', NO_TLS, '-u', r.user, '-p', `${r.password}-wrong`, r.host], { env: e })
    expect(res.stderr).toMatch(/invalid username\/password|unauthorized|\b401\b/i)
    expect(authEntry(e)).toBeUndefined()
  })

  it('skopeo login with an unknown user fails', async () => {
    const e = clientEnv('auth-unknown-user')
    const res = await runExpectingFailure('skopeo', ['login', NO_TLS, '-u', `nobody-${Date.now()}`, '-p', 'whatever', registry().host], { env: e })
    expect(res.stderr).toMatch(/invalid username\/password|unauthorized|\b401\b/i)
  })
})

describe('after logout', () => {
  let anon: ClientEnv

  beforeAll(async () => {
    // Log in, then out: the auth file must lose the entry (and nothing else holds credentials:
    // DOCKER_CONFIG and HOME are private to this environment).
    anon = clientEnv('auth-logged-out', { storageFrom: buildEnv() })
    await login(anon)
    await run('skopeo', ['logout', registry().host], { env: anon })
    expect(authEntry(anon), 'skopeo logout removed the credentials').toBeUndefined()
  })

  it('skopeo copy and podman push without credentials fail with an auth error, and nothing is tagged', async () => {
    const r = repo('anon-push')
    const sk = await runExpectingFailure('skopeo', ['copy', ...COPY_NO_TLS, `containers-storage:${imgs.one.ref}`, dockerRef(r)], { env: anon })
    expect(sk.stderr, 'skopeo copy without login').toMatch(AUTH_ERROR)
    const pm = await runExpectingFailure('podman', ['push', NO_TLS, imgs.one.ref, hostRef(r)], { env: anon })
    expect(pm.stderr, 'podman push without login').toMatch(AUTH_ERROR)
    const check = await runExpectingFailure('skopeo', ['inspect', NO_TLS, dockerRef(r)], { env: loggedIn })
    expect(check.stderr, 'the refused push left no manifest behind').toMatch(/manifest unknown|name unknown|not found|repository name not known/i)
  })

  it('skopeo delete without credentials fails with an auth error and deletes nothing', async () => {
    const r = repo('anon-delete')
    const df = tmpPath(loggedIn, 'anon-delete.digest')
    await run('skopeo', ['copy', ...COPY_NO_TLS, '--digestfile', df, `containers-storage:${imgs.one.ref}`, dockerRef(r)], { env: loggedIn })
    const del = await runExpectingFailure('skopeo', ['delete', NO_TLS, dockerRef(r)], { env: anon })
    expect(del.stderr).toMatch(AUTH_ERROR)
    expect(await inspectDigest(loggedIn, dockerRef(r))).toBe(readDigestFile(df))
  })

  it.runIf(anonymousPullExpected())('pulls work anonymously: skopeo inspect, skopeo copy, podman pull', async () => {
    const r = publicRepo('anon-pull')
    const df = tmpPath(loggedIn, 'anon-pull.digest')
    await run('skopeo', ['copy', ...COPY_NO_TLS, '--digestfile', df, `containers-storage:${imgs.three.ref}`, dockerRef(r)], { env: loggedIn })
    const digest = readDigestFile(df)

    expect(await inspectDigest(anon, dockerRef(r))).toBe(digest)
    const layout = tmpPath(anon, 'anon-pull-layout')
    await run('skopeo', ['copy', ...COPY_NO_TLS, dockerRef(r), `oci:${layout}:v1`], { env: anon })
    expect(ociLayoutDigest(layout, 'v1').digest).toBe(digest)

    const store = clientEnv('auth-anon-pull-store') // empty store, no credentials anywhere
    await run('podman', ['pull', NO_TLS, hostRef(r)], { env: store })
    const info = JSON.parse((await run('podman', ['image', 'inspect', hostRef(r)], { env: store })).stdout)[0]
    expect(info.Digest).toBe(digest)
    expect(info.RootFS.Layers).toEqual(imgs.three.diffIds)
  })

  // The Docker CLI needs a Bearer challenge to pull anonymously (it gives up after a Basic one):
  // it fetches an anonymous token from /service/token.
  it.runIf(anonymousPullExpected())('docker manifest inspect works anonymously (public project)', async () => {
    const r = publicRepo('anon-docker')
    await run('skopeo', ['copy', ...COPY_NO_TLS, `containers-storage:${imgs.three.ref}`, dockerRef(r)], { env: loggedIn })
    const store = clientEnv('auth-anon-docker')
    const dm = JSON.parse((await run('docker', ['manifest', 'inspect', '--insecure', hostRef(r)], { env: store })).stdout)
    expect(dm.layers).toHaveLength(3)
  })
})
