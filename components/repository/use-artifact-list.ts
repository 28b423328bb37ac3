'use client'
// A page of the repository's artifacts and the filters that choose it: tag (typed, debounced),
// tagged/untagged, page size and page; changing a filter goes back to page 1.
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { ArtifactView as Artifact } from '@/lib/artifacts/schema'
import { apiList } from '../api'
import { repositoryApi } from '../format'
import { ARTIFACT_PAGE_SIZE, artifactsKey, type TaggedFilter } from '../query-keys'

export const PAGE_SIZES = [10, 25, 50, 100] as const
export type { TaggedFilter }

export function useArtifactList(project: string, repository: string) {
  const [tagInput, setTagInput] = useState('')
  const [tagFilter, setTagFilter] = useState('')
  const [tagged, setTagged] = useState<TaggedFilter>('')
  const [pageSize, setPageSize] = useState<number>(ARTIFACT_PAGE_SIZE)
  const [page, setPage] = useState(1)
  useEffect(() => {
    const timer = setTimeout(() => setTagFilter(tagInput.trim()), 250)
    return () => clearTimeout(timer)
  }, [tagInput])
  useEffect(() => setPage(1), [tagFilter, tagged, pageSize])

  const artifacts = useQuery({
    queryKey: artifactsKey(project, repository, { tagFilter, tagged, pageSize, page }),
    queryFn: () =>
      apiList<Artifact>(
        `${repositoryApi(project, repository)}/artifacts?${new URLSearchParams({ page: String(page), page_size: String(pageSize), ...(tagFilter ? { tag: tagFilter } : {}), ...(tagged ? { tagged } : {}) })}`,
      ),
    placeholderData: keepPreviousData,
    // Fetched in parallel with the repository (no waterfall); shown only once the repository loads.
  })
  return { artifacts, tagInput, setTagInput, tagFilter, tagged, setTagged, pageSize, setPageSize, page, setPage }
}

export type ArtifactList = ReturnType<typeof useArtifactList>
