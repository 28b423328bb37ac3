'use client'
// One artifact: a summary with its pull command, its tags (paged, deletable for roles that may delete,
// with a form to add one), the configuration or platforms, an index's platform manifests, layers,
// referrers and the raw manifest. The pieces live in components/artifact/.
import { useQuery } from '@tanstack/react-query'
import type { ArtifactDetail } from '@/lib/artifacts/schema'
import { api, errorMessage, isNotVisible } from './api'
import { AddTag } from './artifact/add-tag'
import { ArtifactSummary } from './artifact/artifact-summary'
import { ArtifactTags } from './artifact/artifact-tags'
import { ConfigSection } from './artifact/config-section'
import { IndexChildren, Layers, Referrers } from './artifact/manifest-tables'
import { Section } from './artifact/section'
import { artifactApi, repositoryPath, shortDigest } from './format'
import { projectCrumbs } from './repository/crumbs'
import { ErrorMessage, RepositoryName, focusRing } from './ui'
import { useProjectAccess } from './use-project-access'
import { CachedFrom } from './repository/cached-from'
import { Breadcrumb, LoadingRows, useHost } from './widgets'

export function ArtifactView({ project, repository, digest }: { project: string; repository: string; digest: string }) {
  const host = useHost()
  const full = `${project}/${repository}`
  const artifact = useQuery({
    queryKey: ['artifact', project, repository, digest],
    queryFn: async () => (await api<ArtifactDetail>(artifactApi(project, repository, digest))).data,
  })
  const { mayPush: canTag, mayDelete: canDeleteTags } = useProjectAccess(project)

  return (
    <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6 sm:py-10">
      <Breadcrumb items={[...projectCrumbs(project), { href: repositoryPath(project, repository), label: repository }]} />
      <h1 className="mt-3 break-words font-mono text-xl font-semibold tracking-tight sm:text-2xl">
        <RepositoryName name={full} />
        <span className="text-slate-400">@</span>
        <span className="break-all" title={digest}>
          {shortDigest(digest)}
        </span>
      </h1>
      <CachedFrom project={project} />
      {artifact.isPending ? (
        <LoadingRows rows={6} label="Loading artifact" />
      ) : artifact.isError ? (
        <div className="mt-4">
          <ErrorMessage testId="artifact-error">
            {isNotVisible(artifact.error) ? `There is no artifact ${shortDigest(digest)} in ${full} that you can see.` : errorMessage(artifact.error)}
          </ErrorMessage>
        </div>
      ) : (
        <div className="mt-4 space-y-6">
          <ArtifactSummary artifact={artifact.data} pullBase={`${host}/${full}`} />
          <div className="grid gap-6 lg:grid-cols-2">
            <Section title="Tags" id="tags-heading">
              <ArtifactTags project={project} repository={repository} digest={artifact.data.digest} pullBase={`${host}/${full}`} canDelete={canDeleteTags} />
              {canTag && <AddTag project={project} repository={repository} digest={artifact.data.digest} />}
            </Section>
            <ConfigSection artifact={artifact.data} />
          </div>
          <IndexChildren artifact={artifact.data} project={project} repository={repository} />
          <Layers artifact={artifact.data} />
          <Referrers artifact={artifact.data} project={project} repository={repository} />
          <details className="rounded-xl border border-slate-200 bg-white shadow-sm">
            <summary className={`cursor-pointer px-4 py-3 text-lg font-semibold ${focusRing}`}>Raw manifest</summary>
            <pre className="max-h-[32rem] overflow-auto border-t border-slate-200 bg-slate-900 p-4 text-xs text-slate-100" data-testid="raw-manifest">
              <code>{JSON.stringify(artifact.data.manifest, null, 2)}</code>
            </pre>
          </details>
        </div>
      )}
    </main>
  )
}
