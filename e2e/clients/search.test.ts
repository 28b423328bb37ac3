// podman search lists the registry through GET /v2/_catalog with a token from the challenge flow.
// Now that the catalog challenges anonymous requests (issue #10), logged in it must still list every
// repository the login may read, and logged out the public repositories and nothing else.
// (podman pings /v2/ first and so always follows the token flow; the client that sends no credentials
// until /v2/_catalog itself challenges it is tests/integration/registry-authz.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest'
import { ociImage, registryClient } from '../../tests/support/oci'
import { NO_TLS, clientEnv, login, publicRepo, registry, repo, run, runId } from './fixtures'

const ours = registry().flavour === 'ours'
// The admin's personal project is private; the accounts fixture's public project is public.
const privateRepo = repo('search-private')
const publicRepoName = publicRepo('search-public')

/** The repositories `podman search` finds for `<host>/<this run's search term>`. */
async function podmanSearch(env: ReturnType<typeof clientEnv>): Promise<string[]> {
  const term = `${runId()}-search-`
  const r = await run('podman', ['search', NO_TLS, '--limit', '100', '--format', 'json', `${registry().host}/${term}`], { env })
  return (JSON.parse(r.stdout) as { Name: string }[]).map((entry) => entry.Name.slice(registry().host.length + 1)).sort()
}

beforeAll(async () => {
  const r = registry()
  const client = registryClient(r.url, r.credentials)
  for (const name of ours ? [privateRepo, publicRepoName] : [privateRepo]) {
    const pushed = await client.pushImage(name, ociImage(), 'v1')
    expect(pushed.status, pushed.describe()).toBe(201)
  }
})

describe('podman search', () => {
  it('logged in: lists the private repositories the login may read, not only public ones', async () => {
    const env = clientEnv('search-logged-in')
    await login(env)
    const found = await podmanSearch(env)
    expect(found).toContain(privateRepo)
    if (ours) expect(found).toContain(publicRepoName)
  })

  it.runIf(ours)('logged out: lists the public repositories and no private one', async () => {
    const env = clientEnv('search-logged-out')
    expect(await podmanSearch(env)).toEqual([publicRepoName])
  })
})
