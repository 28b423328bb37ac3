'use client'
// One artifact: its tags (paged from the server; confirmed deletion for roles that may delete), platforms (an index's
// children link to their own pages), layers with sizes, the config summary, referrers, the raw manifest, and a form to
// add a tag to this artifact.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useState, type FormEvent, type ReactNode } from 'react'
import { api, apiList, ApiError, errorMessage } from './api'
import type { ArtifactDetail, TagView as Tag } from '@/lib/artifacts/schema'
import { countOf, formatBytes, formatPlatform, KIND_LABELS, repositoryApi, repositoryPath, shortDigest } from './format'
import { allows, type Project } from './projects-view'
import { Button, ErrorMessage, RepositoryName, SuccessMessage, focusRing, inputClass, tableScrollClass } from './ui'
import { Breadcrumb, CommandLine, ConfirmDialog, CopyButton, LoadingRows, Pagination, TimeAgo, useHost } from './widgets'

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="min-w-0 rounded-xl border border-slate-200 bg-white shadow-sm">
      <h2 id={id} className="border-b border-slate-200 px-4 py-3 text-lg font-semibold">
        {title}
      </h2>
      <div className="p-4">{children}</div>
    </section>
  )
}

export function ArtifactView({ project, repository, digest }: { project: string; repository: string; digest: string }) {
  const host = useHost()
  const full = `${project}/${repository}`
  const artifact = useQuery({
    queryKey: ['artifact', project, repository, digest],
    queryFn: async () => (await api<ArtifactDetail>(`${repositoryApi(project, repository)}/artifacts/${encodeURIComponent(digest)}`)).data,
  })
  const projectQuery = useQuery({
    queryKey: ['project', project],
    queryFn: async () => (await api<Project>(`/api/v1/projects/${encodeURIComponent(project)}`)).data,
  })
  const canTag = allows(projectQuery.data, 'repository:push')
  const canDeleteTags = allows(projectQuery.data, 'repository:delete')
  const artifactHref = (d: string) => `${repositoryPath(project, repository)}/artifacts/${encodeURIComponent(d)}`

  return (
    <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6 sm:py-10">
      <Breadcrumb
        items={[
          { href: '/projects', label: 'Projects' },
          { href: `/projects/${encodeURIComponent(project)}`, label: project },
          { href: repositoryPath(project, repository), label: repository },
        ]}
      />
      <h1 className="mt-3 break-words font-mono text-xl font-semibold tracking-tight sm:text-2xl">
        <RepositoryName name={full} />
        <span className="text-slate-400">@</span>
        <span className="break-all" title={digest}>
          {shortDigest(digest)}
        </span>
      </h1>
      {artifact.isPending ? (
        <LoadingRows rows={6} label="Loading artifact" />
      ) : artifact.isError ? (
        <div className="mt-4">
          <ErrorMessage testId="artifact-error">
            {artifact.error instanceof ApiError && [401, 403, 404].includes(artifact.error.status)
              ? `There is no artifact ${shortDigest(digest)} in ${full} that you can see.`
              : errorMessage(artifact.error)}
          </ErrorMessage>
        </div>
      ) : (
        <div className="mt-4 space-y-6">
          <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
            <dt className="text-slate-500">Digest</dt>
            <dd className="flex min-w-0 items-center gap-2">
              <code className="break-all font-mono text-xs">{artifact.data.digest}</code>
              <CopyButton text={artifact.data.digest} label="Copy digest" />
            </dd>
            <dt className="text-slate-500">Kind</dt>
            <dd>
              {KIND_LABELS[artifact.data.kind]} <span className="break-all font-mono text-xs text-slate-500">{artifact.data.artifactType ?? artifact.data.mediaType}</span>
            </dd>
            <dt className="text-slate-500">Size</dt>
            <dd title={`${artifact.data.size.toLocaleString('en-US')} bytes`}>{formatBytes(artifact.data.size)}</dd>
            <dt className="text-slate-500">Pushed</dt>
            <dd>
              <TimeAgo value={artifact.data.pushedAt} />
            </dd>
            <dt className="text-slate-500">Last pulled</dt>
            <dd>
              <TimeAgo value={artifact.data.lastPulledAt} /> · {countOf(artifact.data.pullCount, 'pull')}
            </dd>
          </dl>
          <div className="max-w-3xl space-y-2">
            <CommandLine command={`docker pull ${host}/${full}@${artifact.data.digest}`} label="Copy pull command by digest" />
          </div>

          <div className="grid gap-6 lg:grid-cols-2">
            <Section title="Tags" id="tags-heading">
              <ArtifactTags project={project} repository={repository} digest={artifact.data.digest} pullBase={`${host}/${full}`} canDelete={canDeleteTags} />
              {canTag && <AddTag project={project} repository={repository} digest={artifact.data.digest} />}
            </Section>

            {artifact.data.config ? (
              <Section title="Configuration" id="config-heading">
                <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
                  <dt className="text-slate-500">OS</dt>
                  <dd>{artifact.data.config.os ?? '—'}</dd>
                  <dt className="text-slate-500">Architecture</dt>
                  <dd>{artifact.data.config.architecture ?? '—'}</dd>
                  <dt className="text-slate-500">Created</dt>
                  <dd>
                    <TimeAgo value={artifact.data.config.created} fallback="—" />
                  </dd>
                  <dt className="text-slate-500">Entrypoint</dt>
                  <dd className="break-all font-mono text-xs">{artifact.data.config.entrypoint?.length ? JSON.stringify(artifact.data.config.entrypoint) : '—'}</dd>
                  <dt className="text-slate-500">Command</dt>
                  <dd className="break-all font-mono text-xs">{artifact.data.config.cmd?.length ? JSON.stringify(artifact.data.config.cmd) : '—'}</dd>
                  <dt className="text-slate-500">Labels</dt>
                  <dd>
                    {Object.keys(artifact.data.config.labels ?? {}).length === 0 ? (
                      '—'
                    ) : (
                      <ul className="space-y-0.5 font-mono text-xs">
                        {Object.entries(artifact.data.config.labels).map(([key, value]) => (
                          <li key={key} className="break-all">
                            <span className="text-slate-500">{key}=</span>
                            {value}
                          </li>
                        ))}
                      </ul>
                    )}
                  </dd>
                </dl>
              </Section>
            ) : (
              <Section title="Platforms" id="platforms-heading">
                {artifact.data.platforms.length === 0 ? (
                  <p className="text-sm text-slate-500">No platform information.</p>
                ) : (
                  <p className="font-mono text-sm">{artifact.data.platforms.map(formatPlatform).join(', ')}</p>
                )}
              </Section>
            )}
          </div>

          {artifact.data.children.length > 0 && (
            <Section title="Platforms in this index" id="children-heading">
              <Table head={['Platform', 'Digest', 'Size']}>
                {artifact.data.children.map((child) => (
                  <tr key={child.digest}>
                    <td className="px-3 py-2 font-mono text-xs">{formatPlatform(child.platform)}</td>
                    <td className="px-3 py-2">
                      {child.present ? (
                        <Link href={artifactHref(child.digest)} title={child.digest} className={`rounded font-mono text-sky-700 hover:underline ${focusRing}`}>
                          {shortDigest(child.digest)}
                        </Link>
                      ) : (
                        <span title={child.digest} className="font-mono text-slate-500">
                          {shortDigest(child.digest)} <span className="font-sans text-xs">(missing from this repository)</span>
                        </span>
                      )}
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">{formatBytes(child.size)}</td>
                  </tr>
                ))}
              </Table>
            </Section>
          )}

          {artifact.data.layers.length > 0 && (
            <Section title={`Layers (${artifact.data.layers.length})`} id="layers-heading">
              <Table head={['#', 'Digest', 'Media type', 'Size']}>
                {artifact.data.layers.map((layer, i) => (
                  <tr key={`${layer.digest}-${i}`}>
                    <td className="px-3 py-2 tabular-nums text-slate-500">{i + 1}</td>
                    <td className="px-3 py-2 font-mono text-xs" title={layer.digest}>
                      {shortDigest(layer.digest)}
                    </td>
                    <td className="break-all px-3 py-2 font-mono text-xs text-slate-600">{layer.mediaType}</td>
                    <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums" title={`${layer.size.toLocaleString('en-US')} bytes`}>
                      {formatBytes(layer.size)}
                    </td>
                  </tr>
                ))}
              </Table>
            </Section>
          )}

          <Section title="Referrers" id="referrers-heading">
            {artifact.data.referrers.length === 0 ? (
              <p className="text-sm text-slate-500">No signatures, SBOMs or other artifacts refer to this one.</p>
            ) : (
              <Table head={['Digest', 'Artifact type']}>
                {artifact.data.referrers.map((referrer) => (
                  <tr key={referrer.digest}>
                    <td className="px-3 py-2">
                      <Link href={artifactHref(referrer.digest)} className={`rounded font-mono text-sky-700 hover:underline ${focusRing}`}>
                        {shortDigest(referrer.digest)}
                      </Link>
                    </td>
                    <td className="break-all px-3 py-2 font-mono text-xs">{referrer.artifactType ?? '—'}</td>
                  </tr>
                ))}
              </Table>
            )}
          </Section>

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

const TAGS_PAGE_SIZE = 10

/** The artifact's tags, a page at a time from GET …/artifacts/{digest}/tags (newest first), each deletable after confirmation. */
function ArtifactTags({ project, repository, digest, pullBase, canDelete }: { project: string; repository: string; digest: string; pullBase: string; canDelete: boolean }) {
  const queryClient = useQueryClient()
  const [page, setPage] = useState(1)
  const [pending, setPending] = useState<string | null>(null)
  const [deleted, setDeleted] = useState<string | null>(null)
  const remove = useMutation({
    mutationFn: (tag: string) => api(`${repositoryApi(project, repository)}/artifacts/${encodeURIComponent(digest)}/tags/${encodeURIComponent(tag)}`, { method: 'DELETE' }),
    onSuccess: async (_, tag) => {
      setPending(null)
      setDeleted(`Tag ${tag} deleted; the artifact stays.`)
      await queryClient.invalidateQueries({ queryKey: ['artifact-tags', project, repository] })
      await queryClient.invalidateQueries({ queryKey: ['artifact', project, repository] })
      await queryClient.invalidateQueries({ queryKey: ['artifacts', project, repository] })
      await queryClient.invalidateQueries({ queryKey: ['repository', project, repository] })
    },
  })
  const tags = useQuery({
    queryKey: ['artifact-tags', project, repository, digest, page],
    queryFn: () => apiList<Tag>(`${repositoryApi(project, repository)}/artifacts/${encodeURIComponent(digest)}/tags?page=${page}&page_size=${TAGS_PAGE_SIZE}`),
    placeholderData: keepPreviousData,
  })
  if (tags.isPending) return <LoadingRows rows={2} label="Loading tags" />
  if (tags.isError) return <ErrorMessage testId="tags-error">{errorMessage(tags.error)}</ErrorMessage>
  if (tags.data.total === 0)
    return (
      <>
        <SuccessMessage>{deleted}</SuccessMessage>
        <p className="text-sm text-slate-500">This artifact has no tags.</p>
      </>
    )
  return (
    <>
      <SuccessMessage>{deleted}</SuccessMessage>
      <ul className="space-y-2" data-testid="artifact-tags">
        {tags.data.items.map((tag) => (
          <li key={tag.name} className="flex flex-wrap items-center gap-2 text-sm">
            <span className="break-all rounded-full bg-sky-50 px-2.5 py-0.5 font-mono text-xs text-sky-900 ring-1 ring-sky-200">{tag.name}</span>
            <span className="text-xs text-slate-500">
              pushed <TimeAgo value={tag.pushedAt} />
            </span>
            {canDelete && (
              <Button
                variant="ghost"
                className="ml-auto px-2 py-0.5 text-xs text-red-700"
                aria-label={`Delete tag ${tag.name}`}
                onClick={() => {
                  setDeleted(null)
                  setPending(tag.name)
                }}
              >
                Delete
              </Button>
            )}
            <div className="w-full">
              <CommandLine command={`docker pull ${pullBase}:${tag.name}`} label={`Copy pull command for ${tag.name}`} />
            </div>
          </li>
        ))}
      </ul>
      {tags.data.total > TAGS_PAGE_SIZE && (
        <div className="-mx-4">
          <Pagination page={page} total={tags.data.total} pageSize={TAGS_PAGE_SIZE} onChange={setPage} noun="tag" />
        </div>
      )}
      <ConfirmDialog
        open={pending !== null}
        title={`Delete tag ${pending ?? ''}?`}
        confirmLabel="Delete tag"
        action={remove}
        onCancel={() => setPending(null)}
        onConfirm={() => pending && remove.mutate(pending)}
      >
        <p>
          The tag <strong className="font-mono">{pending}</strong> goes; anyone pulling it will get “manifest unknown”. The artifact{' '}
          <span className="font-mono">{shortDigest(digest)}</span> stays{tags.data.total > 1 ? ' with its other tags' : ', untagged'}.
        </p>
      </ConfirmDialog>
    </>
  )
}

function Table({ head, children }: { head: string[]; children: ReactNode }) {
  return (
    <div className={`-m-4 ${tableScrollClass}`}>
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {head.map((h) => (
              <th key={h} scope="col" className={`px-3 py-2 font-medium ${h === 'Size' ? 'text-right' : ''}`}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  )
}

const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/

/** Adds a tag to this artifact (POST …/artifacts/{digest}/tags); a tag naming another artifact is a 409. */
function AddTag({ project, repository, digest }: { project: string; repository: string; digest: string }) {
  const queryClient = useQueryClient()
  const [name, setName] = useState('')
  const [added, setAdded] = useState<string | null>(null)
  const add = useMutation({
    mutationFn: async (tag: string) => {
      const response = await api(`${repositoryApi(project, repository)}/artifacts/${encodeURIComponent(digest)}/tags`, { method: 'POST', body: { name: tag } })
      return { tag, created: response.status === 201 }
    },
    onSuccess: async ({ tag, created }) => {
      setAdded(created ? `Tag ${tag} added.` : `This artifact already has the tag ${tag}.`)
      setName('')
      await queryClient.invalidateQueries({ queryKey: ['artifact', project, repository] })
      await queryClient.invalidateQueries({ queryKey: ['artifact-tags', project, repository] })
      await queryClient.invalidateQueries({ queryKey: ['artifacts', project, repository] })
      await queryClient.invalidateQueries({ queryKey: ['repository', project, repository] })
    },
  })
  const trimmed = name.trim()
  const invalid = trimmed !== '' && !TAG_PATTERN.test(trimmed)
  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    setAdded(null)
    if (trimmed) add.mutate(trimmed)
  }
  return (
    <form onSubmit={onSubmit} className="mt-4 space-y-2 border-t border-slate-200 pt-4" aria-labelledby="add-tag-heading" noValidate>
      <h3 id="add-tag-heading" className="text-sm font-semibold">
        Add a tag
      </h3>
      <div className="flex flex-wrap items-start gap-2">
        <div className="min-w-0 flex-1">
          <label htmlFor="add-tag-name" className="sr-only">
            Tag name
          </label>
          <input
            id="add-tag-name"
            value={name}
            onChange={(event) => {
              setName(event.target.value)
              if (add.isError) add.reset()
            }}
            placeholder="e.g. stable"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={invalid || add.isError}
            aria-describedby="add-tag-hint"
            className={`${inputClass} mt-0 font-mono`}
          />
        </div>
        <Button type="submit" disabled={!trimmed || add.isPending}>
          {add.isPending ? 'Adding…' : 'Add tag'}
        </Button>
      </div>
      <p id="add-tag-hint" className={`text-xs ${invalid ? 'text-amber-700' : 'text-slate-500'}`}>
        Letters, digits, “_”, “.” and “-”; up to 128 characters, not starting with “.” or “-”. A tag that names another artifact is not moved.
      </p>
      <ErrorMessage testId="add-tag-error">{add.isError ? errorMessage(add.error) : null}</ErrorMessage>
      <SuccessMessage>{added}</SuccessMessage>
    </form>
  )
}
