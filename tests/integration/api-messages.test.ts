// The words of /api/v1 error messages, which the dashboard shows as they are: each field named once,
// naming rules described in words (never a regular expression), user-chosen names never first (the
// dashboard capitalises a message's first word), and counts that agree with their nouns.
import { beforeAll, describe, expect, it } from 'vitest'
import { registryUnderTest } from '../support/context'
import { apiClient, type ApiCredentials } from '../support/api'
import { ociImage, randomId, registryClient } from '../support/oci'

const reg = registryUnderTest()
const api = apiClient(reg.url)
const REGEX_SYNTAX = /[[\]{}^$\\]|\(\?/

describe.runIf(reg.flavour === 'ours')('API error messages', () => {
  let owner: ApiCredentials
  let project: string
  let base: string

  beforeAll(async () => {
    owner = await api.signup('msg')
    project = `msg${randomId(8)}`
    expect((await api.post('/api/v1/projects', { name: project, public: false }, { auth: owner })).status).toBe(201)
    const image = ociImage({ platform: { os: 'linux', architecture: 'amd64' } })
    await registryClient(reg.url, owner).pushImage(`${project}/app`, image, 'v1')
    base = `/api/v1/projects/${project}/repositories/app`
  })

  const message = async (res: Promise<{ status: number; json(): { errors: { message: string }[] }; describe(): string }>, status: number) => {
    const answer = await res
    expect(answer.status, answer.describe()).toBe(status)
    return answer.json().errors[0].message
  }

  it('names a field once: "name must …", not "name: name must …"', async () => {
    const text = await message(api.post('/api/v1/projects', { name: 'x'.repeat(65) }, { auth: owner }), 400)
    expect(text).toBe('name must be at most 64 characters')
    const repo = await message(api.post(`/api/v1/projects/${project}/repositories`, { name: 'Bad Name' }, { auth: owner }), 400)
    expect(repo).toMatch(/^name is not a valid repository name: a repository name is one or more parts separated by '\/'/)
    expect(repo).not.toMatch(REGEX_SYNTAX)
  })

  it('a bad tag is described in words, not by a regular expression', async () => {
    const text = await message(api.post(`${base}/artifacts/v1/tags`, { name: '.hidden' }, { auth: owner }), 400)
    expect(text).toBe("name is not a valid tag: a tag is 1–128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
    expect(text).not.toMatch(REGEX_SYNTAX)
  })

  it('a bad digest is described in words', async () => {
    const text = await message(api.get(`${base}/artifacts/sha256:XYZ/tags`, { auth: owner }), 400)
    expect(text).toBe('the digest sha256:XYZ is not valid: a digest is sha256: followed by 64 lowercase hexadecimal digits (or sha512: followed by 128)')
  })

  it('never starts with a username', async () => {
    const member = await api.signup('mem')
    const members = `/api/v1/projects/${project}/members`
    expect((await api.post(members, { username: member.user, role: 'guest' }, { auth: owner })).status).toBe(201)
    expect(await message(api.post(members, { username: member.user, role: 'guest' }, { auth: owner }), 409)).toBe(`the user ${member.user} is already a member of ${project}`)
    const stranger = await api.signup('str')
    expect(await message(api.delete(`${members}/${stranger.user}`, { auth: owner }), 404)).toBe(`the user ${stranger.user} is not a member of ${project}`)
  })

  it('counts agree with their nouns: "1 repository"', async () => {
    expect(await message(api.delete(`/api/v1/projects/${project}`, { auth: owner }), 412)).toBe(
      `project ${project} is not empty (1 repository); delete its repositories first or pass force=true`,
    )
  })
})
