// Where the secret envelope's key comes from: SECRET_KEY, the file SECRET_KEY_FILE names (a mounted
// secret), or DATA_DIR/secret-key, generated (0600) at first start like the session secret. Replicas
// that do not share DATA_DIR must all be given the same key, or they cannot read each other's secrets.
import { readFileSync } from 'node:fs'
import { ConfigError, type AppConfig } from '../config'
import { readOrCreateSecret } from '../auth/session-secret'
import { MIN_KEY_MATERIAL_LENGTH, SecretBox } from './envelope'

export const SECRET_KEY_FILE_NAME = 'secret-key'

export interface LoadedSecretKey {
  box: SecretBox
  source: 'env' | 'file' | 'generated'
  /** The file the key was read from or written to. */
  file?: string
}

/** Builds the SecretBox from the configuration; throws ConfigError naming the variable when the key is unusable. */
export function loadSecretKey(config: Pick<AppConfig, 'dataDir' | 'secretKey' | 'secretKeyFile'>): LoadedSecretKey {
  if (config.secretKey) return { box: new SecretBox(config.secretKey), source: 'env' }
  if (config.secretKeyFile) {
    let material: string
    try {
      material = readFileSync(config.secretKeyFile, 'utf8').trim()
    } catch (error) {
      throw new ConfigError([`SECRET_KEY_FILE: cannot read ${config.secretKeyFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`])
    }
    if (material.length < MIN_KEY_MATERIAL_LENGTH) throw new ConfigError([`SECRET_KEY_FILE: ${config.secretKeyFile} must hold at least ${MIN_KEY_MATERIAL_LENGTH} characters`])
    return { box: new SecretBox(material), source: 'file', file: config.secretKeyFile }
  }
  const { secret, file, generated } = readOrCreateSecret(config.dataDir, SECRET_KEY_FILE_NAME)
  if (secret.length < MIN_KEY_MATERIAL_LENGTH)
    throw new ConfigError([`SECRET_KEY: ${file} holds a key shorter than ${MIN_KEY_MATERIAL_LENGTH} characters; restore the original file`])
  return { box: new SecretBox(secret), source: generated ? 'generated' : 'file', file }
}
