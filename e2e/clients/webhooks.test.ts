// Webhooks driven by a real client: skopeo pushes, inspects (pulls) and deletes an image; a receiver
// on 127.0.0.1 gets PUSH_ARTIFACT within 2 s of the push, signed, naming what skopeo pushed, then
// PULL_ARTIFACT and DELETE_ARTIFACT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../../tests/support/api'
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../tests/support/webhook-receiver'
import { verifySignature } from '../../lib/webhooks/signature'
import { COPY_NO_TLS, NO_TLS, buildEnv, clientEnv, dockerRef, images, login, readDigestFile, registry, repo, run, tmpPath, type TestImages } from './fixtures'

const SECRET = 'skopeo-webhook-secret-0123456789'

describe.runIf(registry().flavour === 'ours')('webhooks with skopeo', () => {
  let imgs: TestImages
  let receiver: WebhookReceiver
  let policyPath: string
  const r = registry()
  const api = apiClient(r.url)
  const auth = { user: r.user, password: r.password }
  const target = repo('webhook')

  beforeAll(async () => {
    imgs = await images()
    receiver = await startWebhookReceiver()
    const base = `/api/v1/projects/${r.namespace}/webhooks`
    const res = await api.post(
      base,
      { name: `skopeo-${Date.now()}`, eventTypes: ['PUSH_ARTIFACT', 'PULL_ARTIFACT', 'DELETE_ARTIFACT'], targetUrl: receiver.url, secret: SECRET, repositoryFilter: target },
      { auth },
    )
    expect(res.status, res.describe()).toBe(201)
    policyPath = `${base}/${res.json().id}`
  })
  afterAll(async () => {
    if (policyPath) await api.delete(policyPath, { auth })
    await receiver?.close()
  })

  const of = (type: string) => (req: ReceivedRequest) => req.event === type

  it('push, pull and delete each reach the receiver, signed, with the pushed digest', async () => {
    const env = clientEnv('skopeo-webhook', { storageFrom: buildEnv() })
    await login(env)
    const digestFile = tmpPath(env, 'digest')
    await run('skopeo', ['copy', ...COPY_NO_TLS, '--digestfile', digestFile, `containers-storage:${imgs.one.ref}`, dockerRef(target)], { env })
    const pushedAt = Date.now()
    const digest = readDigestFile(digestFile)

    const push = await receiver.waitFor(of('PUSH_ARTIFACT'), 10_000)
    expect(push.receivedAt - pushedAt, 'push to receipt').toBeLessThan(2000)
    expect(verifySignature(SECRET, String(push.headers['x-registry-timestamp']), push.body, String(push.headers['x-registry-signature-256']))).toBe(true)
    const body = push.json()
    expect(body.operator).toBe(r.user)
    expect(body.event_data.resources).toEqual([expect.objectContaining({ digest, tag: 'v1', resource_url: `${r.host}/${target}:v1` })])
    expect(body.event_data.repository).toMatchObject({ repo_full_name: target, namespace: r.namespace })

    await run('skopeo', ['inspect', NO_TLS, dockerRef(target)], { env })
    const pull = await receiver.waitFor(of('PULL_ARTIFACT'), 10_000)
    expect(pull.json().event_data.resources[0].digest).toBe(digest)

    await run('skopeo', ['delete', NO_TLS, dockerRef(target, digest)], { env })
    const deleted = await receiver.waitFor(of('DELETE_ARTIFACT'), 10_000)
    expect(deleted.json().event_data.resources).toEqual([expect.objectContaining({ digest, tag: 'v1' })])
    expect(new Set([push.delivery, pull.delivery, deleted.delivery]).size).toBe(3)
  })
})
