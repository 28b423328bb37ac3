// The process's secret envelope. server.ts loads the key at start (generating it on a first start,
// reporting a bad key before serving); code in Next's module graph gets the same key through the
// runtime's configuration, read once per module graph.
import { runtime } from '../runtime'
import type { SecretBox } from './envelope'
import { loadSecretKey } from './key'

export { SECRET_CONTEXT, SecretBox, SecretEnvelopeError, envelopeKeyId, type SecretEnvelopeFailure } from './envelope'
export { loadSecretKey, SECRET_KEY_FILE_NAME, type LoadedSecretKey } from './key'

let cached: { config: object; box: SecretBox } | undefined

/** The SecretBox of the running process's configuration. */
export function secretBox(): SecretBox {
  const { config } = runtime()
  if (cached?.config !== config) cached = { config, box: loadSecretKey(config).box }
  return cached.box
}
