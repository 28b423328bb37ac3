/**
 * A server of a test file's own, for files that must stop, kill, restart or seed it (the shared one
 * from global setup cannot be touched): on a fresh PostgreSQL database when TEST_DATABASE=postgres,
 * else on PGlite in its data dir, optionally with a webhook receiver started first (so seeds and
 * options can name its URL). `dispose()` stops everything it started, printing the server's logs
 * first when SHOW_SERVER_LOGS=1.
 *
 *   beforeAll(async () => { own = await startOwnServer({ receiver: true }) }, 300_000)
 *   afterAll(() => own?.dispose())
 */
import { createTestDatabase, type TestDatabase } from './postgres'
import { startRegistryServer, type RunningServer, type StartOptions } from './registry-server'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver'

export interface OwnServer {
  server: RunningServer
  /** Basic credentials of the server's admin. */
  admin: { user: string; password: string }
  dispose(): Promise<void>
}

export interface OwnServerWithReceiver extends OwnServer {
  receiver: WebhookReceiver
}

type Options = Omit<StartOptions, 'databaseUrl'>

export function startOwnServer(setup: { receiver: true; options?: (receiver: WebhookReceiver) => Options }): Promise<OwnServerWithReceiver>
export function startOwnServer(setup?: { receiver?: false; options?: () => Options }): Promise<OwnServer>
export async function startOwnServer(setup: { receiver?: boolean; options?: (receiver: WebhookReceiver) => Options } = {}): Promise<OwnServer | OwnServerWithReceiver> {
  let db: TestDatabase | undefined
  let receiver: WebhookReceiver | undefined
  let server: RunningServer | undefined
  const dispose = async () => {
    if (process.env.SHOW_SERVER_LOGS === '1') process.stderr.write(server?.logs() ?? '')
    await receiver?.close()
    await server?.dispose()
    await db?.drop()
  }
  try {
    if (process.env.TEST_DATABASE === 'postgres') db = await createTestDatabase()
    if (setup.receiver) receiver = await startWebhookReceiver()
    const options = setup.options?.(receiver as WebhookReceiver) ?? {}
    server = await startRegistryServer({ ...options, databaseUrl: db?.url })
  } catch (error) {
    await dispose()
    throw error
  }
  const admin = { user: server.adminUser, password: server.adminPassword }
  return receiver ? { server, admin, receiver, dispose } : { server, admin, dispose }
}
