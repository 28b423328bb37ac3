// The artifact shapes /api/v1 returns (see lib/artifacts on the server).
import type { Platform } from './format'

export interface Tag {
  name: string
  pushedAt: string
}

/** A manifest of an index; `present` says whether the repository holds it. */
export interface ArtifactChild {
  digest: string
  mediaType: string
  size: number
  platform: Platform | null
  present: boolean
}

export interface Artifact {
  digest: string
  mediaType: string
  artifactType: string | null
  kind: 'image' | 'index' | 'artifact'
  size: number
  platforms: Platform[]
  /** The newest tags (at most 10; with a tag filter the matching ones first); `tagCount` says how many there are. */
  tags: Tag[]
  tagCount: number
  pushedAt: string
  lastPulledAt: string | null
  pullCount: number
  referrers: { digest: string; artifactType: string | null }[]
  /** An index's manifests (their untagged ones are listed only here); empty for anything else. */
  children: ArtifactChild[]
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
}

export const KIND_LABELS: Record<Artifact['kind'], string> = { image: 'Image', index: 'Index', artifact: 'Artifact' }
