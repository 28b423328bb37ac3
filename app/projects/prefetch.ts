// The first screen of the dashboard's project and repository pages, read on the server while it
// renders the page: the same lib calls, caller and JSON as the /api/v1 routes the browser would
// otherwise fetch after loading its scripts, put in react-query's cache under the browser's own keys
// (components/query-keys.ts), so the page arrives with its table in the HTML and the browser starts from it.
// Anything that fails here (not visible, not found, a bad name) is simply left out: the browser
// then fetches it and shows the API's answer, as before.
import { dehydrate, QueryClient, type DehydratedState } from '@tanstack/react-query'
import { headers } from 'next/headers'
import { authenticateRequest, type AuthenticatedCaller } from '@/lib/api/authenticate'
import { parseName } from '@/lib/api/parse'
import { toJson } from '@/lib/api/respond'
import { artifactListQuerySchema, listArtifacts } from '@/lib/artifacts'
import { getProject } from '@/lib/projects'
import { getRepository, listRepositories } from '@/lib/repositories'
import { runtime } from '@/lib/runtime'
import { artifactsKey, FIRST_ARTIFACT_PAGE, projectKey, repositoriesKey, repositoryKey, REPOSITORY_PAGE_SIZE } from '@/components/query-keys'

/** The caller of this page request, authenticated exactly as an /api/v1 request with its headers. */
async function pageCaller(): Promise<AuthenticatedCaller> {
  return authenticateRequest(new Request('http://dashboard.invalid/', { headers: await headers() }))
}

/** The value as the browser's `JSON.parse` of the API's response would have it (BigInt as numbers, dates as strings). */
function asApiJson<T>(value: T): T {
  return JSON.parse(toJson(value)) as T
}

function queryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false } } })
}

/** The project (its header, tabs and permissions) and the first page of its repositories. */
export async function prefetchProjectPage(project: string): Promise<DehydratedState> {
  const client = queryClient()
  const caller = await pageCaller()
  const prisma = runtime().prisma
  const name = () => parseName(project, 'project')
  await Promise.all([
    client.prefetchQuery({ queryKey: projectKey(project), queryFn: async () => asApiJson(await getProject(prisma, caller.subject, name())) }),
    client.prefetchQuery({
      queryKey: repositoriesKey(project, '', 1),
      queryFn: async () => asApiJson(await listRepositories(prisma, caller, name(), undefined, { page: 1, pageSize: REPOSITORY_PAGE_SIZE })),
    }),
  ])
  return dehydrate(client)
}

/** The project (for permissions), the repository and the first page of its artifacts. */
export async function prefetchRepositoryPage(project: string, repository: string): Promise<DehydratedState> {
  const client = queryClient()
  const caller = await pageCaller()
  const prisma = runtime().prisma
  const name = () => parseName(project, 'project')
  const first = FIRST_ARTIFACT_PAGE
  await Promise.all([
    client.prefetchQuery({ queryKey: projectKey(project), queryFn: async () => asApiJson(await getProject(prisma, caller.subject, name())) }),
    client.prefetchQuery({ queryKey: repositoryKey(project, repository), queryFn: async () => asApiJson(await getRepository(prisma, caller, name(), repository)) }),
    client.prefetchQuery({
      queryKey: artifactsKey(project, repository, first),
      queryFn: async () => asApiJson(await listArtifacts(prisma, caller, name(), repository, artifactListQuerySchema.parse({}), { page: first.page, pageSize: first.pageSize })),
    }),
  ])
  return dehydrate(client)
}
