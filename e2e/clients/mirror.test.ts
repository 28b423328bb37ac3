// The transparent mirror with a real dockerd (Debian's docker.io): daemon.json's registry-mirrors
// names this registry, whose mirror project (MIRROR_PROJECT, set before the project exists, as an
// unattended install does) is a proxy-cache of Debian's docker-registry holding library/alpine.
// `docker pull alpine` makes dockerd ask the mirror for /v2/library/alpine/manifests/latest (with an
// anonymous Bearer token for repository:library/alpine:pull); there is no internet here, so the
// pull succeeds only through the mirror. podman (a registries.conf mirror) and containerd (ctr with
// hosts.toml, on dockerd's containerd) pull through it too. Starts its OWN server (the mirror setting
// is registry-wide).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../../tests/support/api'
import { startDockerd, dockerdUnavailable, type Dockerd } from '../../tests/support/dockerd'
import { registryClient, type Image } from '../../tests/support/oci'
import { startOwnServer, type OwnServer } from '../../tests/support/own-server'
import { startReferenceRegistry } from '../../tests/support/reference-registry'
import { clientEnv, registry, run, runId, tinyImage, type ClientEnv } from './fixtures'

const ours = registry().flavour === 'ours'
const unavailable = dockerdUnavailable()
if (unavailable) console.warn(`e2e/clients/mirror: skipped: ${unavailable}`)

describe.runIf(ours && !unavailable)('docker pull through the transparent mirror (registry-mirrors)', () => {
  let upstream: Awaited<ReturnType<typeof startReferenceRegistry>>
  let own: OwnServer
  let daemon: Dockerd
  let env: ClientEnv
  let host: string
  let alpine: Image
  let busybox: Image
  let hello: Image

  beforeAll(async () => {
    upstream = await startReferenceRegistry()
    env = clientEnv('docker-mirror')
    alpine = tinyImage(env.dir, `alpine stand-in ${runId()}\n`)
    busybox = tinyImage(env.dir, `busybox stand-in ${runId()}\n`)
    hello = tinyImage(env.dir, `hello stand-in ${runId()}\n`)
    for (const [name, image] of [
      ['library/alpine', alpine],
      ['library/busybox', busybox],
      ['library/hello', hello],
    ] as const) {
      const pushed = await registryClient(upstream.url).pushImage(name, image, 'latest')
      expect(pushed.status, pushed.describe()).toBe(201)
    }
    own = await startOwnServer({ options: () => ({ env: { UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8', MIRROR_PROJECT: 'hub' } }) })
    const api = apiClient(own.server.url)
    const endpoint = await api.post('/api/v1/registries', { name: 'upstream', type: 'distribution', url: upstream.url }, { auth: own.admin })
    expect(endpoint.status, endpoint.describe()).toBe(201)
    const project = await api.post('/api/v1/projects', { name: 'hub', public: true, proxy: { registryId: endpoint.json().id } }, { auth: own.admin })
    expect(project.status, project.describe()).toBe(201)
    host = new URL(own.server.url).host
    daemon = await startDockerd({ registryMirrors: [own.server.url], insecureRegistries: [host] })
  }, 300_000)
  afterAll(async () => {
    await daemon?.stop()
    await own?.dispose()
    await upstream?.dispose()
  })

  const docker = (...args: string[]) => run('docker', args, { env, extraEnv: daemon.env, timeoutMs: 180_000 })
  const imageId = async () => (await docker('image', 'inspect', '--format', '{{.Id}}', 'alpine')).stdout.trim()

  it('docker pull alpine succeeds through the mirror and is cached in the mirror project', async () => {
    await docker('pull', 'alpine')
    expect(await imageId()).toBe(alpine.config.digest)
    const cached = await registryClient(own.server.url, own.admin).getManifest('hub/library/alpine', alpine.manifest.digest)
    expect(cached.status, cached.describe()).toBe(200)
  })

  it('podman pulls docker.io/library/busybox through a registries.conf mirror', async () => {
    const conf = path.join(env.dir, 'registries.conf')
    fs.writeFileSync(conf, `[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "${host}"\ninsecure = true\n`)
    await run('podman', ['pull', 'docker.io/library/busybox:latest'], { env, extraEnv: { CONTAINERS_REGISTRIES_CONF: conf }, timeoutMs: 180_000 })
    const id = await run('podman', ['image', 'inspect', '--format', '{{.Digest}}', 'docker.io/library/busybox:latest'], { env })
    expect(id.stdout.trim()).toBe(busybox.manifest.digest)
  })

  it('containerd (ctr with hosts.toml, which adds ns=docker.io) pulls docker.io/library/hello through the mirror', async () => {
    const hosts = path.join(env.dir, 'certs.d')
    fs.mkdirSync(path.join(hosts, 'docker.io'), { recursive: true })
    fs.writeFileSync(path.join(hosts, 'docker.io', 'hosts.toml'), `server = "https://registry-1.docker.io"\n[host."http://${host}"]\n  capabilities = ["pull", "resolve"]\n`)
    const ctr = ['--address', path.join(daemon.dir, 'exec', 'containerd', 'containerd.sock'), '--namespace', 'mirror-test']
    await run('ctr', [...ctr, 'images', 'pull', '--hosts-dir', hosts, '--snapshotter', 'native', 'docker.io/library/hello:latest'], { env, timeoutMs: 180_000 })
    const listed = await run('ctr', [...ctr, 'images', 'list', '--quiet'], { env })
    expect(listed.stdout).toContain('docker.io/library/hello:latest')
    const cached = await registryClient(own.server.url, own.admin).getManifest('hub/library/hello', hello.manifest.digest)
    expect(cached.status, cached.describe()).toBe(200)
  })

  it('after docker rmi, pulls again with the upstream stopped', async () => {
    await docker('rmi', 'alpine')
    await upstream.stop()
    await docker('pull', 'alpine')
    expect(await imageId()).toBe(alpine.config.digest)
  })
})
