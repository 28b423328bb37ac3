'use client'
// What the signed-in user may do in a project, as the project's API answer says (its role's permissions).
import { useQuery } from '@tanstack/react-query'
import { api } from './api'
import { projectKey } from './query-keys'
import { allows, type Project } from './projects-view'

/** Whether the user may push to and delete from `project`'s repositories (both false until the project loads). */
export function useProjectAccess(project: string): { mayPush: boolean; mayDelete: boolean } {
  const query = useQuery({
    queryKey: projectKey(project),
    queryFn: async () => (await api<Project>(`/api/v1/projects/${encodeURIComponent(project)}`)).data,
  })
  return { mayPush: allows(query.data, 'repository:push'), mayDelete: allows(query.data, 'repository:delete') }
}
