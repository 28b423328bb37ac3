// The react-query keys and first-page sizes of the dashboard's project and repository pages, shared
// by the components that fetch them in the browser and by the server, which prefetches the first
// screen of those pages (app/projects/prefetch.ts): the same key finds the same data. Plain values
// only: this module is part of the browser bundle.

/** Repositories per page of a project's repository list. */
export const REPOSITORY_PAGE_SIZE = 20
/** Artifacts per page of a repository's artifact list until the user picks another size. */
export const ARTIFACT_PAGE_SIZE = 25

export type TaggedFilter = '' | 'true' | 'false'

export interface ArtifactListChoice {
  tagFilter: string
  tagged: TaggedFilter
  pageSize: number
  page: number
}

/** What a repository page lists first: every artifact, newest first, page 1. */
export const FIRST_ARTIFACT_PAGE: ArtifactListChoice = { tagFilter: '', tagged: '', pageSize: ARTIFACT_PAGE_SIZE, page: 1 }

export const projectKey = (project: string) => ['project', project] as const
export const repositoryKey = (project: string, repository: string) => ['repository', project, repository] as const
export const artifactsKey = (project: string, repository: string, { tagFilter, tagged, pageSize, page }: ArtifactListChoice) =>
  ['artifacts', project, repository, tagFilter, tagged, pageSize, page] as const
export const repositoriesKey = (project: string, q: string, page: number) => ['repositories', project, q, page] as const
