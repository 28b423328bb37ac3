// The transparent mirror with a real dockerd (Debian's docker.io): daemon.json's registry-mirrors
// names this registry, whose mirror project (MIRROR_PROJECT, set before the project exists, as an
// unattended install does) is a proxy-cache of Debian's docker-registry holding library/alpine.
// `docker pull alpine` makes dockerd ask the mirror for /v2/library/alpine/manifests/latest (with an
// anonymous Bearer token for repository:library/alpine:pull); there is no internet here, so the
// pull succeeds only through the mirror. Starts its OWN server (the mirror setting is registry-wide).
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
  let alpine: Image

  beforeAll(async () => {
    upstream = await startReferenceRegistry()
    env = clientEnv('docker-mirror')
    alpine = tinyImage(env.dir, `alpine stand-in ${runId()}\n`)
    const pushed = await registryClient(upstream.url).pushImage('library/alpine', alpine, 'latest')
    expect(pushed.status, pushed.describe()).toBe(201)
    own = await startOwnServer({ options: () => ({ env: { UPSTREAM_ALLOWED_NETWORKS: '127.0.0.0/8', MIRROR_PROJECT: 'hub' } }) })
    const api = apiClient(own.server.url)
    const endpoint = await api.post('/api/v1/registries', { name: 'upstream', type: 'distribution', url: upstream.url }, { auth: own.admin })
    expect(endpoint.status, endpoint.describe()).toBe(201)
    const project = await api.post('/api/v1/projects', { name: 'hub', public: true, proxy: { registryId: endpoint.json().id } }, { auth: own.admin })
    expect(project.status, project.describe()).toBe(201)
    const host = new URL(own.server.url).host
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

  it('after docker rmi, pulls again with the upstream stopped', async () => {
    await docker('rmi', 'alpine')
    await upstream.stop()
    await docker('pull', 'alpine')
    expect(await imageId()).toBe(alpine.config.digest)
  })
})
