// The Docker CLI without a daemon: login and `docker manifest inspect --insecure` (REAL-CLIENTS.md §8).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type ClientEnv,
  type TestImages,
  NO_TLS,
  buildEnv,
  clientEnv,
  dockerLogin,
  dockerRef,
  hostRef,
  images,
  inspectDigest,
  inspectRaw,
  login,
  readDigestFile,
  registry,
  repo,
  run,
  runExpectingFailure,
  tmpPath,
} from './fixtures'

let imgs: TestImages
let env: ClientEnv
const image = () => repo('docker-cli-three')
const index = () => repo('docker-cli-multi')
let imageDigest = ''
let indexDigest = ''

beforeAll(async () => {
  imgs = await images()
  env = clientEnv('docker-cli', { storageFrom: buildEnv() })
  await login(env)
  const df = tmpPath(env, 'image.digest')
  await run('podman', ['push', NO_TLS, '--digestfile', df, imgs.three.ref, hostRef(image())], { env })
  imageDigest = readDigestFile(df)
  const dfi = tmpPath(env, 'index.digest')
  await run('buildah', ['manifest', 'push', '--all', NO_TLS, '--digestfile', dfi, imgs.multi.ref, dockerRef(index())], { env })
  indexDigest = readDigestFile(dfi)
})

describe('docker CLI', () => {
  it('docker login with a wrong password fails and stores nothing', async () => {
    const e = clientEnv('docker-cli-wrong')
    const r = registry()
    const res = await runExpectingFailure('docker', ['login', '-u', r.user, '--password-stdin', r.host], { env: e, input: `${r.password}-wrong` })
    expect(res.stderr).toMatch(/401|unauthorized|incorrect username or password|denied/i)
    const cfg = path.join(e.dockerConfig, 'config.json')
    const auths = fs.existsSync(cfg) ? (JSON.parse(fs.readFileSync(cfg, 'utf8')).auths ?? {}) : {}
    expect(auths[r.host]).toBeUndefined()
  })

  it('docker login succeeds and stores the credentials', async () => {
    await dockerLogin(env)
    const auths = JSON.parse(fs.readFileSync(path.join(env.dockerConfig, 'config.json'), 'utf8')).auths
    expect(auths[registry().host]?.auth).toBe(Buffer.from(`${registry().user}:${registry().password}`).toString('base64'))
  })

  it('docker manifest inspect --insecure of an image prints the registry manifest', async () => {
    const r = await run('docker', ['manifest', 'inspect', '--insecure', hostRef(image())], { env })
    const printed = JSON.parse(r.stdout)
    const raw = (await inspectRaw(env, dockerRef(image()))).json
    expect(printed).toEqual(raw)
    expect(printed.layers).toHaveLength(3)

    const v = JSON.parse((await run('docker', ['manifest', 'inspect', '--insecure', '-v', hostRef(image())], { env })).stdout)
    expect(v.Descriptor.digest, 'docker manifest inspect -v: Descriptor.digest').toBe(imageDigest)
    expect(v.Ref).toBe(hostRef(image()))
    expect(Buffer.from(v.Raw, 'base64').toString('utf8'), 'Raw = the manifest bytes').toBe((await inspectRaw(env, dockerRef(image()))).bytes.toString('utf8'))
  })

  it('docker manifest inspect --insecure -v of an index prints one entry per platform', async () => {
    const plain = JSON.parse((await run('docker', ['manifest', 'inspect', '--insecure', hostRef(index())], { env })).stdout)
    const raw = await inspectRaw(env, dockerRef(index()))
    expect(plain, 'docker manifest inspect of an index prints the registry index').toEqual(raw.json)
    expect(await inspectDigest(env, dockerRef(index())), 'index digest (buildah --digestfile)').toBe(indexDigest)
    expect(plain.manifests).toHaveLength(2)
    const r = await run('docker', ['manifest', 'inspect', '--insecure', '-v', hostRef(index())], { env })
    const entries = JSON.parse(r.stdout) as any[]
    expect(Array.isArray(entries), r.stdout).toBe(true)
    expect(entries.map((e) => e.Descriptor.platform.architecture).sort()).toEqual(['amd64', 'arm64'])
    for (const e of entries) {
      const listed = plain.manifests.find((m: any) => m.digest === e.Descriptor.digest)
      expect(listed, `entry ${e.Descriptor.digest} is in the index`).toBeDefined()
      expect(e.Ref).toBe(`${hostRef(index())}@${e.Descriptor.digest}`)
      const m = e.OCIManifest ?? e.SchemaV2Manifest
      expect(m.layers).toHaveLength(1)
    }
  })
})
