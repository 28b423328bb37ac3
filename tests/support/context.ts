/**
 * What tests/support/global-setup.ts hands to the tests (vitest `provide`/`inject`).
 *
 *   import { registryUnderTest } from '../support/context'
 *   const reg = registryUnderTest()          // { url, user, password, flavour, namespace }
 *   const client = reg.client()               // RegistryClient with Basic credentials
 */
import { inject } from 'vitest'
import { randomId, registryClient, type Credentials, type RegistryClient } from './oci'
import type { AccountsFixture } from './accounts'

export interface RegistryUnderTest {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string
  /** User for push/delete (Basic auth); empty when the registry needs none. */
  user: string
  password: string
  /** 'ours': this project's server, started by global setup. 'external': REGISTRY_URL, used as is. */
  flavour: 'ours' | 'external'
  /**
   * Repository namespace the tests write under (`<namespace>/<suite>-<random>`).
   * TEST_NAMESPACE, else the admin user's own namespace for ours, else `conformance`.
   */
  namespace: string
  /** Ours only: users in every role, public/private projects, robots and tokens (tests/support/accounts.ts). */
  accounts?: AccountsFixture
}

declare module 'vitest' {
  export interface ProvidedContext {
    registry: RegistryUnderTest
  }
}

export interface RegistryContext extends RegistryUnderTest {
  /** Credentials, or undefined when the registry is open. */
  credentials: Credentials | undefined
  /** True when the registry checks credentials (so 401 behaviour can be tested). */
  authEnabled: boolean
  /** A client sending the credentials (Basic; Bearer tokens are fetched on a Bearer challenge). */
  client(): RegistryClient
  /** A client sending no credentials. */
  anonymous(): RegistryClient
  /** A fresh repository name `<namespace>/<prefix>-<random>`. */
  repo(prefix?: string): string
}

export function registryUnderTest(): RegistryContext {
  const reg = inject('registry')
  if (!reg) throw new Error('no registry provided: run with --config vitest.integration.config.ts (tests/support/global-setup.ts)')
  const credentials = reg.user ? { user: reg.user, password: reg.password } : undefined
  return {
    ...reg,
    credentials,
    authEnabled: !!credentials,
    client: () => registryClient(reg.url, credentials),
    anonymous: () => registryClient(reg.url),
    repo: (prefix = 'it') => `${reg.namespace}/${prefix}-${randomId(10)}`,
  }
}
