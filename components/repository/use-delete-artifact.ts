'use client'
// Deleting a tag (the artifact stays) or a whole artifact with its tags, from the repository's list.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { ArtifactView as Artifact, TagView as Tag } from '@/lib/artifacts/schema'
import { api } from '../api'
import { artifactApi, shortDigest } from '../format'
import { invalidateArtifacts } from '../artifact/invalidate'

/** What the user asked to delete, waiting for confirmation. */
export type Deletion = { kind: 'tag'; artifact: Artifact; tag: Tag } | { kind: 'artifact'; artifact: Artifact }

/** The artifact's tag names as far as the list embeds them, e.g. "v1, v2 and 38 more" (optionally without one). */
export function tagNames(artifact: Artifact, except?: string): string {
  const names = artifact.tags.map((t) => t.name).filter((name) => name !== except)
  const more = artifact.tagCount - (except === undefined ? 0 : 1) - names.length
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ')
}

/** The deletion waiting for confirmation, the mutation that carries it out, and the message saying what went. */
export function useDeleteArtifact(project: string, repository: string) {
  const queryClient = useQueryClient()
  const [pending, setPending] = useState<Deletion | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const remove = useMutation({
    mutationFn: async (what: Deletion) => {
      const artifact = artifactApi(project, repository, what.artifact.digest)
      await api(what.kind === 'tag' ? `${artifact}/tags/${encodeURIComponent(what.tag.name)}` : artifact, { method: 'DELETE' })
    },
    onSuccess: async (_, what) => {
      setMessage(
        what.kind === 'tag'
          ? `Tag ${what.tag.name} deleted; artifact ${shortDigest(what.artifact.digest)} stays.`
          : `Artifact ${shortDigest(what.artifact.digest)} deleted${what.artifact.tagCount ? ` with tags ${tagNames(what.artifact)}` : ''}.`,
      )
      setPending(null)
      await invalidateArtifacts(queryClient, project, repository)
    },
  })
  const ask = (what: Deletion) => {
    setMessage(null)
    setPending(what)
  }
  return { pending, ask, cancel: () => setPending(null), remove, message }
}
