// Real clients through the token flow: `skopeo login` / `podman login` then push and pull with
// Bearer tokens from /service/token; `docker login` + `docker manifest inspect`; wrong passwords;
// logout; a push into another user's namespace is refused. Needs ours (the seeded accounts).
import * as fs from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type ClientEnv,
  type TestImages,
  COPY_NO_TLS,
  NO_TLS,
  buildEnv,
  clientEnv,
  dockerRef,
  hostRef,
  images,
  inspectDigest,
  readDigestFile,
  registry,
  run,
  runExpectingFailure,
  runId,
  tmpPath,
} from './fixtures'

const AUTH_ERROR = /unauthorized|authentication required|denied|invalid username\/password|\b401\b|\b403\b/i
const ours = () => registry().flavour === 'ours' && !!registry().accounts

let imgs: TestImages
beforeAll(async () => {
  if (ours()) imgs = await images()
})

function authEntry(e: ClientEnv): unknown {
  return (JSON.parse(fs.readFileSync(e.authFile, 'utf8')).auths ?? {})[registry().host]
}

describe.runIf(ours())('token flow with real clients', () => {
  const priv = () => `${registry().accounts!.privateProject}/${runId()}`

  it('skopeo login as a developer, then push and pull with Bearer tokens', async () => {
    const dev = registry().accounts!.roles.developer
    const e = clientEnv('token-skopeo', { storageFrom: buildEnv() })
    await run('skopeo', ['login', NO_TLS, '-u', dev.user, '--password-stdin', registry().host], { env: e, input: dev.password })
    expect(authEntry(e)).toBeDefined()
    const r = `${priv()}-skopeo`
    const df = tmpPath(e, 'skopeo.digest')
    const push = await run('skopeo', ['--debug', 'copy', ...COPY_NO_TLS, '--digestfile', df, `containers-storage:${imgs.one.ref}`, dockerRef(r)], { env: e })
    // containers/image answered the Bearer challenge with a token from our realm (it logs the token request).
    expect(push.stderr).toMatch(/GET http:\/\/[^ ]+\/service\/token\?account=dev&scope=repository%3Apriv%2F[^ ]*pull%2Cpush/)
    expect(await inspectDigest(e, dockerRef(r))).toBe(readDigestFile(df))
    // A guest may pull but not push.
    const guest = registry().accounts!.roles.guest
    const g = clientEnv('token-skopeo-guest', { storageFrom: buildEnv() })
    await run('skopeo', ['login', NO_TLS, '-u', guest.user, '--password-stdin', registry().host], { env: g, input: guest.password })
    expect(await inspectDigest(g, dockerRef(r))).toBe(readDigestFile(df))
    const refused = await runExpectingFailure('skopeo', ['copy', ...COPY_NO_TLS, `containers-storage:${imgs.one.ref}`, dockerRef(`${r}-guest`)], { env: g })
    expect(refused.stderr).toMatch(AUTH_ERROR)
  })

  it('podman login as the owner, push, pull into a fresh store, logout', async () => {
    const owner = registry().accounts!.owner
    const e = clientEnv('token-podman', { storageFrom: buildEnv() })
    await run('podman', ['login', NO_TLS, '-u', owner.user, '--password-stdin', registry().host], { env: e, input: owner.password })
    const r = `${priv()}-podman`
    await run('podman', ['push', NO_TLS, imgs.three.ref, hostRef(r)], { env: e })
    const store = clientEnv('token-podman-pull')
    fs.copyFileSync(e.authFile, store.authFile)
    const pull = await run('podman', ['--log-level=debug', 'pull', NO_TLS, hostRef(r)], { env: store })
    expect(pull.stderr).toMatch(/service\/token\?account=owner&scope=repository%3Apriv%2F/)
    const info = JSON.parse((await run('podman', ['image', 'inspect', hostRef(r)], { env: store })).stdout)[0]
    expect(info.RootFS.Layers).toEqual(imgs.three.diffIds)

    await run('podman', ['logout', registry().host], { env: store })
    expect(authEntry(store)).toBeUndefined()
    const anon = await runExpectingFailure('skopeo', ['inspect', NO_TLS, dockerRef(r)], { env: store })
    expect(anon.stderr, 'a private image needs a login').toMatch(AUTH_ERROR)
  })

  it('podman and skopeo login with a wrong password fail clearly and store nothing', async () => {
    const e = clientEnv('token-wrong')
    const owner = registry().accounts!.owner
    const pm = await runExpectingFailure('podman', ['login', NO_TLS, '-u', owner.user, '-p', 'not-the-password', registry().host], { env: e })
    expect(pm.stderr).toMatch(/invalid username\/password|unauthorized/i)
    const sk = await runExpectingFailure('skopeo', ['login', NO_TLS, '-u', 'no-such-user', '-p', 'whatever-password', registry().host], { env: e })
    expect(sk.stderr).toMatch(/invalid username\/password|unauthorized/i)
    expect(authEntry(e)).toBeUndefined()
  })

  it('docker login, docker manifest inspect --insecure of a private image, docker logout', async () => {
    const owner = registry().accounts!.owner
    const e = clientEnv('token-docker', { storageFrom: buildEnv() })
    await run('skopeo', ['login', NO_TLS, '-u', owner.user, '--password-stdin', registry().host], { env: e, input: owner.password })
    const r = `${priv()}-docker`
    await run('skopeo', ['copy', ...COPY_NO_TLS, `containers-storage:${imgs.three.ref}`, dockerRef(r)], { env: e })

    const d = clientEnv('token-docker-cli')
    await run('docker', ['login', '-u', owner.user, '--password-stdin', registry().host], { env: d, input: owner.password })
    const dm = JSON.parse((await run('docker', ['manifest', 'inspect', '--insecure', hostRef(r)], { env: d })).stdout)
    expect(dm.layers).toHaveLength(3)
    const wrong = await runExpectingFailure('docker', ['login', '-u', owner.user, '--password-stdin', registry().host], {
      env: clientEnv('token-docker-wrong'),
      input: 'wrong-password',
    })
    expect(wrong.stderr + wrong.stdout).toMatch(/401|unauthorized|invalid/i)
    await run('docker', ['logout', registry().host], { env: d })
    const after = await runExpectingFailure('docker', ['manifest', 'inspect', '--insecure', hostRef(r)], { env: d })
    expect(after.stderr + after.stdout).toMatch(/unauthorized|denied|401|no such manifest|authentication required/i)
  })

  it("a push into another user's namespace is refused", async () => {
    const owner = registry().accounts!.owner
    const e = clientEnv('token-foreign', { storageFrom: buildEnv() })
    await run('skopeo', ['login', NO_TLS, '-u', owner.user, '--password-stdin', registry().host], { env: e, input: owner.password })
    const r = `${registry().accounts!.outsider.user}/${runId()}-not-yours`
    const sk = await runExpectingFailure('skopeo', ['copy', ...COPY_NO_TLS, `containers-storage:${imgs.one.ref}`, dockerRef(r)], { env: e })
    expect(sk.stderr).toMatch(AUTH_ERROR)
    const pm = await runExpectingFailure('podman', ['push', NO_TLS, imgs.one.ref, hostRef(r)], { env: e })
    expect(pm.stderr).toMatch(AUTH_ERROR)
  })
})
