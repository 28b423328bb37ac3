'use client'
// An artifact's tags a page at a time from GET …/artifacts/{digest}/tags (newest first), and deleting one.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { TagView as Tag } from '@/lib/artifacts/schema'
import { api, apiList } from '../api'
import { artifactApi } from '../format'
import { invalidateArtifacts } from './invalidate'

export const TAGS_PAGE_SIZE = 10

export function useArtifactTags(project: string, repository: string, digest: string) {
  const [page, setPage] = useState(1)
  const tags = useQuery({
    queryKey: ['artifact-tags', project, repository, digest, page],
    queryFn: () => apiList<Tag>(`${artifactApi(project, repository, digest)}/tags?page=${page}&page_size=${TAGS_PAGE_SIZE}`),
    placeholderData: keepPreviousData,
  })
  return { tags, page, setPage }
}

/** The tag waiting for confirmation, the mutation that deletes it, and the message saying it went. */
export function useDeleteTag(project: string, repository: string, digest: string) {
  const queryClient = useQueryClient()
  const [pending, setPending] = useState<string | null>(null)
  const [deleted, setDeleted] = useState<string | null>(null)
  const remove = useMutation({
    mutationFn: (tag: string) => api(`${artifactApi(project, repository, digest)}/tags/${encodeURIComponent(tag)}`, { method: 'DELETE' }),
    onSuccess: async (_, tag) => {
      setPending(null)
      setDeleted(`Tag ${tag} deleted; the artifact stays.`)
      await invalidateArtifacts(queryClient, project, repository)
    },
  })
  const ask = (tag: string) => {
    setDeleted(null)
    setPending(tag)
  }
  return { pending, ask, cancel: () => setPending(null), remove, deleted }
}
