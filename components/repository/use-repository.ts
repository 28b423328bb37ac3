'use client'
// One repository's details, and deleting the whole repository (then back to its project).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useRouter } from 'next/navigation'
import { api } from '../api'
import { repositoryApi } from '../format'
import type { Repository } from '../project-repositories'
import { repositoryKey } from '../query-keys'

export function useRepository(project: string, repository: string) {
  return useQuery({ queryKey: repositoryKey(project, repository), queryFn: async () => (await api<Repository>(repositoryApi(project, repository))).data })
}

/** Deletes the repository; on success forgets its queries and opens the project page, which says what went. */
export function useDeleteRepository(project: string, repository: string, onDeleted: () => void) {
  const queryClient = useQueryClient()
  const router = useRouter()
  return useMutation({
    mutationFn: () => api(repositoryApi(project, repository), { method: 'DELETE' }),
    onSuccess: async () => {
      onDeleted()
      queryClient.removeQueries({ queryKey: ['repository', project, repository] })
      queryClient.removeQueries({ queryKey: ['artifacts', project, repository] })
      await queryClient.invalidateQueries({ queryKey: ['repositories', project] })
      await queryClient.invalidateQueries({ queryKey: ['project', project] })
      router.push(`/projects/${encodeURIComponent(project)}?deleted=${encodeURIComponent(repository)}`)
    },
  })
}
