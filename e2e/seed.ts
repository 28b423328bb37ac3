// Seeding for the layout and screenshot specs through the REST API (Basic credentials): a project,
// a repository description, a webhook whose receiver runs in the test on 127.0.0.1, and waiting for
// its deliveries to settle.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, type APIRequestContext } from '@playwright/test'
import { basicAuth, type TestUser } from './support'

/** An HTTP receiver on 127.0.0.1 that answers 200 to every delivery. */
export class WebhookReceiver {
  received = 0
  private server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      this.received++
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

export class Seeder {
  constructor(
    private request: APIRequestContext,
    private user: Pick<TestUser, 'username' | 'password'>,
  ) {}

  private async call(method: 'POST' | 'PATCH', path: string, data?: unknown): Promise<unknown> {
    const res = await this.request.fetch(path, { method, data, headers: { authorization: basicAuth(this.user.username, this.user.password) } })
    expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300)
    const text = await res.text()
    return text ? JSON.parse(text) : undefined
  }

  async project(name: string, isPublic = false): Promise<void> {
    await this.call('POST', '/api/v1/projects', { name, public: isPublic })
  }

  async describeRepository(project: string, repository: string, description: string): Promise<void> {
    await this.call('PATCH', `/api/v1/projects/${project}/repositories/${encodeURIComponent(repository)}`, { description })
  }

  /** A webhook on every artifact event of `project`; returns its id. */
  async webhook(project: string, name: string, targetUrl: string): Promise<string> {
    const policy = (await this.call('POST', `/api/v1/projects/${project}/webhooks`, { name, targetUrl, eventTypes: ['PUSH_ARTIFACT', 'DELETE_TAG'] })) as { id: string | number }
    return String(policy.id)
  }

  async testEvent(project: string, webhookId: string): Promise<void> {
    await this.call('POST', `/api/v1/projects/${project}/webhooks/${webhookId}/test`)
  }

  /** Waits until the webhook has `count` deliveries and none is pending. */
  async settled(project: string, webhookId: string, count: number): Promise<void> {
    await expect
      .poll(
        async () => {
          const res = await this.request.get(`/api/v1/projects/${project}/webhooks/${webhookId}/deliveries`, {
            headers: { authorization: basicAuth(this.user.username, this.user.password) },
          })
          const items = (await res.json()) as { status: string }[]
          return items.length >= count && items.every((d) => d.status !== 'pending')
        },
        { timeout: 20_000, message: `${count} settled deliveries` },
      )
      .toBe(true)
  }
}
