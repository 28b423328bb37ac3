// `docker search <host>/<term>` through a real dockerd (Debian's docker.io) whose daemon.json names the
// registry in insecure-registries: dockerd pings /v1/_ping (https, then http), then GETs
// /v1/search?q=<term>&n=<--limit>, with the login's Basic credentials when the CLI is logged in.
// Then `docker pull <host>/<a result's name>` through the same daemon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../../tests/support/api'
import { startDockerd, dockerdUnavailable, type Dockerd } from '../../tests/support/dockerd'
import { registryClient } from '../../tests/support/oci'
import { clientEnv, registry, run, runId, tinyImage, type ClientEnv } from './fixtures'

const ours = registry().flavour === 'ours'
const unavailable = dockerdUnavailable()
if (unavailable) console.warn(`e2e/clients/docker-search: skipped: ${unavailable}`)

describe.runIf(ours && !unavailable)('docker search through dockerd', () => {
  const reg = registry()
  const accounts = reg.accounts!
  const term = `${runId()}-dsearch`
  const publicNames = [`${accounts.publicProject}/${term}-one`, `${accounts.publicProject}/${term}-two`]
  const privateName = `${accounts.privateProject}/${term}-three`
  let daemon: Dockerd
  let anonymous: ClientEnv

  /** `docker search` through our dockerd, as the CLI in `env` (logged in or not). */
  const search = async (env: ClientEnv, ...args: string[]) => {
    const r = await run('docker', ['search', ...args, `${reg.host}/${term}`], { env, extraEnv: daemon.env, timeoutMs: 60_000 })
    return r.stdout.split('\n').filter((line) => line !== '')
  }
  const loggedIn = async (name: string, account: { user: string; password: string }) => {
    const env = clientEnv(name)
    await run('docker', ['login', '-u', account.user, '--password-stdin', reg.host], { env, extraEnv: daemon.env, input: account.password })
    return env
  }

  beforeAll(async () => {
    daemon = await startDockerd({ insecureRegistries: [reg.host] })
    anonymous = clientEnv('docker-search-anonymous')
    const api = apiClient(reg.url)
    for (const name of [...publicNames, privateName]) {
      const [project, ...rest] = name.split('/')
      const res = await api.post(`/api/v1/projects/${project}/repositories`, { name: rest.join('/'), description: `Search test ${name}\nmore` }, { auth: accounts.owner })
      expect(res.status, res.describe()).toBe(201)
    }
    const pushed = await registryClient(reg.url, accounts.owner).pushImage(publicNames[0], tinyImage(anonymous.dir, `hello ${runId()}\n`), 'v1')
    expect(pushed.status, pushed.describe()).toBe(201)
  })

  afterAll(async () => {
    await daemon?.stop()
  })

  it('logged out: lists the public repositories, not the private one', async () => {
    expect(await search(anonymous, '--format', '{{.Name}}')).toEqual(publicNames)
  })

  it('shows the first line of the description, no stars, not official', async () => {
    const rows = await search(anonymous, '--no-trunc', '--format', '{{.Name}}|{{.Description}}|{{.StarCount}}|{{.IsOfficial}}')
    // The CLI prints `[OK]` for an official image and nothing otherwise.
    expect(rows).toEqual(publicNames.map((name) => `${name}|Search test ${name}|0|`))
    const table = await search(anonymous)
    expect(table[0]).toMatch(/^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL/)
    expect(table).toHaveLength(3)
  })

  it('--limit is sent as n', async () => {
    expect(await search(anonymous, '--limit', '1', '--format', '{{.Name}}')).toEqual([publicNames[0]])
  })

  it('logged in as a member: lists the private repository too; as a non-member: not', async () => {
    const member = await loggedIn('docker-search-member', accounts.roles.guest)
    expect(await search(member, '--format', '{{.Name}}')).toEqual([...publicNames, privateName].sort())
    const outsider = await loggedIn('docker-search-outsider', accounts.outsider)
    expect(await search(outsider, '--format', '{{.Name}}')).toEqual(publicNames)
  })

  it('docker pull <host>/<a result name> pulls that repository', async () => {
    const [first] = await search(anonymous, '--limit', '1', '--format', '{{.Name}}')
    const pulled = await run('docker', ['pull', `${reg.host}/${first}:v1`], { env: anonymous, extraEnv: daemon.env, timeoutMs: 120_000 })
    expect(pulled.stdout).toContain(`${reg.host}/${first}:v1`)
  })
})
