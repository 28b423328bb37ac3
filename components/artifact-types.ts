// The artifact shapes /api/v1 returns (see lib/artifacts on the server).
import type { Platform } from './format'

export interface Tag {
  name: string
  pushedAt: string
}

export interface Artifact {
  digest: string
  mediaType: string
  artifactType: string | null
  kind: 'image' | 'index' | 'artifact'
  size: number
  platforms: Platform[]
  /** The newest tags (at most 10); `tagCount` says how many there are. */
  tags: Tag[]
  tagCount: number
  pushedAt: string
  lastPulledAt: string | null
  pullCount: number
  referrers: { digest: string; artifactType: string | null }[]
}

export interface ArtifactDetail extends Artifact {
  manifest: Record<string, unknown>
  config: {
    os: string | null
    architecture: string | null
    created: string | null
    entrypoint: string[] | null
    cmd: string[] | null
    labels: Record<string, string>
  } | null
  layers: { digest: string; mediaType: string; size: number }[]
  children: { digest: string; mediaType: string; size: number; platform: Platform | null }[]
}

export const KIND_LABELS: Record<Artifact['kind'], string> = { image: 'Image', index: 'Index', artifact: 'Artifact' }
