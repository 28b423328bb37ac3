// The process's secret envelope. server.ts loads the key at start (generating it on a first start,
// reporting a bad key before serving); everything else reads it from the runtime.
import { runtime } from '../runtime'
import type { SecretBox } from './envelope'

export { SECRET_CONTEXT, SecretBox, SecretEnvelopeError, envelopeKeyId, type SecretEnvelopeFailure } from './envelope'
export { loadSecretKey, SECRET_KEY_FILE_NAME, type LoadedSecretKey } from './key'

/** The SecretBox of the running process. */
export function secretBox(): SecretBox {
  return runtime().secrets
}
