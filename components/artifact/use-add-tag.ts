'use client'
// Adding a tag to an artifact (POST …/artifacts/{digest}/tags): 201 when new, 200 when the artifact
// already has it; a tag naming another artifact is a 409.
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../api'
import { artifactApi } from '../format'
import { invalidateArtifacts } from './invalidate'

/** Tag names as the distribution spec allows them. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/

export function useAddTag(project: string, repository: string, digest: string, onAdded: (tag: string, created: boolean) => void) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (tag: string) => {
      const response = await api(`${artifactApi(project, repository, digest)}/tags`, { method: 'POST', body: { name: tag } })
      return { tag, created: response.status === 201 }
    },
    onSuccess: async ({ tag, created }) => {
      onAdded(tag, created)
      await invalidateArtifacts(queryClient, project, repository)
    },
  })
}
