// `docker search host/term` over HTTP: GET /v1/_ping and GET /v1/search?q=&n=&page= in Docker Hub's
// v1 shape, answering what the caller may read (anonymous: public projects; Basic credentials as
// dockerd sends them when the CLI is logged in), matched on repository name and description.
// The real dockerd is in e2e/clients/docker-search.test.ts.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials, type ApiRequestOptions } from '../support/api'
import { ociImage, randomId, registryClient } from '../support/oci'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const ours = reg.flavour === 'ours'

interface SearchPage {
  num_results: number
  num_pages: number
  page: number
  page_size: number
  query: string
  results: { name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }[]
}

/** GET /v1/search with `query` (already URL-encoded) as dockerd sends it: `X-Docker-Token: true`, Basic when logged in. */
async function search(query: string, auth?: ApiRequestOptions['auth']): Promise<SearchPage> {
  const res = await api.get(`/v1/search?${query}`, { auth, headers: { 'x-docker-token': 'true' } })
  expect(res.status, res.describe()).toBe(200)
  expect(res.header('content-type')).toMatch(/^application\/json/)
  // A token here would make dockerd send `Authorization: Token …` instead of the login's Basic credentials.
  expect(res.header('x-docker-token')).toBeNull()
  return res.json<SearchPage>()
}

const names = (page: SearchPage) => page.results.map((r) => r.name)

describe.runIf(ours)('docker search (/v1)', () => {
  const accounts = reg.accounts!
  const owner: ApiCredentials = accounts.owner
  // Unique to this run, so other suites' repositories in the same server never match.
  const term = `dsearch${randomId(8)}`
  const pub = accounts.publicProject
  const priv = accounts.privateProject
  const publicNames = [`${pub}/${term}-alpha`, `${pub}/${term}-beta`, `${pub}/nested/${term}-gamma`]
  const privateName = `${priv}/${term}-secret`
  // Matches only through its description (a Markdown document: its first line is the summary).
  const describedName = `${pub}/described-${randomId(8)}`
  const description = `# Tools for ${term.toUpperCase()} builds\n\nSecond paragraph with more ${term} text.`

  beforeAll(async () => {
    const create = async (full: string, text = '') => {
      const [project, ...rest] = full.split('/')
      const res = await api.post(`/api/v1/projects/${project}/repositories`, { name: rest.join('/'), description: text }, { auth: owner })
      expect(res.status, res.describe()).toBe(201)
    }
    for (const name of [...publicNames, privateName]) await create(name, `repository ${name}`)
    await create(describedName, description)
    // One of them holds an image, to show a result's name is what a pull takes after the host.
    const pushed = await registryClient(reg.url, owner).pushImage(publicNames[0], ociImage(), 'v1')
    expect(pushed.status, pushed.describe()).toBe(201)
  })

  it('GET /v1/_ping answers 200 JSON, standalone, without a redirect', async () => {
    const res = await api.get('/v1/_ping')
    expect(res.status, res.describe()).toBe(200)
    expect(res.header('content-type')).toMatch(/^application\/json/)
    expect(res.header('x-docker-registry-standalone')).toBe('true')
    expect(res.json()).toEqual({ standalone: true })
    expect(res.header('x-content-type-options')).toBe('nosniff')
  })

  it('answers the Docker Hub v1 shape, public repositories only for an anonymous caller', async () => {
    const page = await search(`q=${term}&n=25`)
    expect(page).toEqual({
      num_results: 4,
      num_pages: 1,
      page: 1,
      page_size: 25,
      query: term,
      // Name matches first (in byte order), then the description-only match.
      results: [
        ...[...publicNames].sort().map((name) => ({ name, description: `repository ${name}`, star_count: 0, is_official: false, is_automated: false })),
        { name: describedName, description: `Tools for ${term.toUpperCase()} builds`, star_count: 0, is_official: false, is_automated: false },
      ],
    })
  })

  it("a result's name is the repository as docker pull takes it after the host", async () => {
    const [first] = (await search(`q=${encodeURIComponent(publicNames[0])}`)).results
    expect(first.name).toBe(publicNames[0])
    const pulled = await registryClient(reg.url).getManifest(first.name, 'v1')
    expect(pulled.status, pulled.describe()).toBe(200)
  })

  it('a member sees their private project’s repositories; a non-member and a wrong password do not', async () => {
    expect(names(await search(`q=${term}`, owner))).toContain(privateName)
    expect(names(await search(`q=${term}`, accounts.roles.limitedGuest))).toContain(privateName)
    expect(names(await search(`q=${term}`, accounts.robots.privatePull))).toContain(privateName)
    expect(names(await search(`q=${term}`, accounts.tokens.read))).toContain(privateName)
    // A browser session of a member whose account no other suite sends wrong passwords for (the shared
    // owner's failures elsewhere can block it for a second, and a sign-in is never served from the credential cache).
    expect(names(await search(`q=${term}`, { cookie: await api.login(accounts.roles.maintainer) }))).toContain(privateName)
    expect(names(await search(`q=${term}`, { user: reg.user, password: reg.password }))).toContain(privateName)

    const outsider = await search(`q=${term}`, accounts.outsider)
    expect(outsider.num_results).toBe(4)
    expect(names(outsider)).not.toContain(privateName)
    expect(names(await search(`q=${term}`))).not.toContain(privateName)
    expect(names(await search(`q=secret&n=100`))).not.toContain(privateName)

    const wrong = await api.get(`/v1/search?q=${term}`, { auth: { user: accounts.mistyped.user, password: `${accounts.mistyped.password}-wrong` } })
    expect(wrong.status, wrong.describe()).toBe(401)
    expect(wrong.errorCode()).toBe('UNAUTHORIZED')
    expect(wrong.header('www-authenticate')).toMatch(/^Basic /)
  })

  it('sends an anonymous search without dockerd’s X-Docker-Token to the catalog (401), as podman needs when logged in', async () => {
    // containers/image asks /v1/search without credentials even when logged in and uses any 200 it gets.
    const unmarked = await api.get(`/v1/search?q=${term}`)
    expect(unmarked.status, unmarked.describe()).toBe(401)
    expect(unmarked.errorCode()).toBe('UNAUTHORIZED')
    const withCredentials = await api.get(`/v1/search?q=${term}`, { auth: owner })
    expect(withCredentials.status, withCredentials.describe()).toBe(200)
    expect(names(withCredentials.json<SearchPage>())).toContain(privateName)
  })

  it('matches names and descriptions case-insensitively, and a project/name term', async () => {
    expect(names(await search(`q=${term.toUpperCase()}-ALPHA`))).toEqual([publicNames[0]])
    expect(names(await search(`q=${encodeURIComponent(`${pub}/nested/`)}${term}`))).toEqual([publicNames[2]])
    expect(names(await search(`q=${encodeURIComponent(`more ${term} text`)}`))).toEqual([describedName])
    expect(await search(`q=${term}-nothing`)).toMatchObject({ num_results: 0, num_pages: 0, results: [] })
  })

  it('pages with n and page', async () => {
    const all = names(await search(`q=${term}`, owner))
    expect(all).toHaveLength(5)
    const pages = [1, 2, 3].map((page) => search(`q=${term}&n=2&page=${page}`, owner))
    const [p1, p2, p3] = await Promise.all(pages)
    expect(p1).toMatchObject({ num_results: 5, num_pages: 3, page: 1, page_size: 2 })
    expect(p3).toMatchObject({ num_results: 5, num_pages: 3, page: 3, page_size: 2 })
    expect([...names(p1), ...names(p2), ...names(p3)]).toEqual(all)
    expect(names(p3)).toHaveLength(1)
    expect(await search(`q=${term}&n=2&page=4`, owner)).toMatchObject({ num_results: 5, page: 4, results: [] })
    // Without n: Docker's default of 25.
    expect((await search(`q=${term}`)).page_size).toBe(25)
  })

  it('an empty q lists every readable repository', async () => {
    const page = await search('q=&n=100')
    expect(page.num_results).toBeGreaterThanOrEqual(4)
    expect(names(page)).not.toContain(privateName)
  })

  it.each([
    ['n=0', 'n must be at least 1'],
    ['n=101', 'n must be at most 100'],
    ['n=abc', 'n must be a number'],
    ['n=2.5', 'n must be an integer'],
    ['page=0', 'page must be at least 1'],
    ['page=x', 'page must be a number'],
    [`q=${'a'.repeat(256)}`, 'q must be at most 255 characters'],
    ['q=%00', 'query parameters must not contain NUL bytes'],
  ])('%s -> 400 with a clear JSON error', async (query, message) => {
    const res = await api.get(`/v1/search?${query}`)
    expect(res.status, res.describe()).toBe(400)
    expect(res.header('content-type')).toMatch(/^application\/json/)
    expect(res.errorCode()).toBe('BAD_REQUEST')
    expect(res.json().errors[0].message).toContain(message)
  })
})
