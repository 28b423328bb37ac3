// How payloads name this registry: PUBLIC_URL when set (what clients push to), else the listening port
// on localhost. Set PUBLIC_URL in any real deployment so `resource_url` is pullable as written.
import type { AppConfig } from '../config'
import { runtime } from '../runtime'
import type { RenderSettings } from './deliveries'

export function renderSettingsOf(config: AppConfig): RenderSettings {
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`
  return { registryHost: new URL(publicUrl).host, source: publicUrl }
}

export function renderSettings(): RenderSettings {
  return renderSettingsOf(runtime().config)
}
