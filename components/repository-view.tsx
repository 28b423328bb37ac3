'use client'
// One repository: its Markdown description (editable), and its artifacts with tags, pull commands,
// tag and tagged/untagged filters, page size, pagination, confirmed deletion of a tag or a whole
// artifact, and deletion of the repository itself (typed confirmation). An index is one row; its
// platform manifests fold under it (expandable) and cannot be deleted on their own.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { Fragment, useEffect, useState } from 'react'
import { api, apiList, ApiError, errorMessage } from './api'
import type { ArtifactChild, ArtifactView as Artifact, TagView as Tag } from '@/lib/artifacts/schema'
import { countOf, formatBytes, formatCount, formatPlatform, KIND_LABELS, repositoryApi, repositoryPath, shortDigest } from './format'
import { Markdown } from './markdown'
import type { Repository } from './project-repositories'
import { allows, type Project } from './projects-view'
import { Button, ErrorMessage, RepositoryName, SuccessMessage, focusRing, inputClass, tableScrollClass } from './ui'
import { Breadcrumb, ConfirmDialog, CopyButton, LoadingRows, Pagination, PushCommands, TimeAgo, useHost } from './widgets'

const PAGE_SIZES = [10, 25, 50, 100] as const
type TaggedFilter = '' | 'true' | 'false'
/** Columns shown from the md breakpoint up. */
const SECONDARY = 'hidden md:table-cell'
/** The Actions column stays at the right edge while a narrow screen scrolls the table sideways. */
const STICKY_ACTIONS = 'sticky right-0'

type Pending = { kind: 'tag'; artifact: Artifact; tag: Tag } | { kind: 'artifact'; artifact: Artifact } | null

/** The artifact's tag names as far as the list embeds them, e.g. "v1, v2 and 38 more" (optionally without one). */
function tagNames(artifact: Artifact, except?: string): string {
  const names = artifact.tags.map((t) => t.name).filter((name) => name !== except)
  const more = artifact.tagCount - (except === undefined ? 0 : 1) - names.length
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ')
}

export function RepositoryView({ project, repository }: { project: string; repository: string }) {
  const queryClient = useQueryClient()
  const router = useRouter()
  const host = useHost()
  const base = repositoryApi(project, repository)
  const full = `${project}/${repository}`

  const projectQuery = useQuery({
    queryKey: ['project', project],
    queryFn: async () => (await api<Project>(`/api/v1/projects/${encodeURIComponent(project)}`)).data,
  })
  const repo = useQuery({ queryKey: ['repository', project, repository], queryFn: async () => (await api<Repository>(base)).data })
  const mayPush = allows(projectQuery.data, 'repository:push')
  const mayDelete = allows(projectQuery.data, 'repository:delete')

  const [tagInput, setTagInput] = useState('')
  const [tagFilter, setTagFilter] = useState('')
  const [tagged, setTagged] = useState<TaggedFilter>('')
  const [pageSize, setPageSize] = useState<number>(25)
  const [page, setPage] = useState(1)
  useEffect(() => {
    const timer = setTimeout(() => setTagFilter(tagInput.trim()), 250)
    return () => clearTimeout(timer)
  }, [tagInput])
  useEffect(() => setPage(1), [tagFilter, tagged, pageSize])

  const artifacts = useQuery({
    queryKey: ['artifacts', project, repository, tagFilter, tagged, pageSize, page],
    queryFn: () =>
      apiList<Artifact>(
        `${base}/artifacts?${new URLSearchParams({ page: String(page), page_size: String(pageSize), ...(tagFilter ? { tag: tagFilter } : {}), ...(tagged ? { tagged } : {}) })}`,
      ),
    placeholderData: keepPreviousData,
    // Fetched in parallel with the repository (no waterfall); shown only once the repository loads.
  })

  const [pending, setPending] = useState<Pending>(null)
  const [message, setMessage] = useState<string | null>(null)
  const remove = useMutation({
    mutationFn: async (what: NonNullable<Pending>) => {
      if (what.kind === 'tag') await api(`${base}/artifacts/${encodeURIComponent(what.artifact.digest)}/tags/${encodeURIComponent(what.tag.name)}`, { method: 'DELETE' })
      else await api(`${base}/artifacts/${encodeURIComponent(what.artifact.digest)}`, { method: 'DELETE' })
    },
    onSuccess: async (_, what) => {
      setMessage(
        what.kind === 'tag'
          ? `Tag ${what.tag.name} deleted; artifact ${shortDigest(what.artifact.digest)} stays.`
          : `Artifact ${shortDigest(what.artifact.digest)} deleted${what.artifact.tagCount ? ` with tags ${tagNames(what.artifact)}` : ''}.`,
      )
      setPending(null)
      await queryClient.invalidateQueries({ queryKey: ['artifacts', project, repository] })
      await queryClient.invalidateQueries({ queryKey: ['repository', project, repository] })
    },
  })

  const [deleting, setDeleting] = useState(false)
  const removeRepository = useMutation({
    mutationFn: () => api(base, { method: 'DELETE' }),
    onSuccess: async () => {
      setDeleting(false)
      queryClient.removeQueries({ queryKey: ['repository', project, repository] })
      queryClient.removeQueries({ queryKey: ['artifacts', project, repository] })
      await queryClient.invalidateQueries({ queryKey: ['repositories', project] })
      await queryClient.invalidateQueries({ queryKey: ['project', project] })
      router.push(`/projects/${encodeURIComponent(project)}?deleted=${encodeURIComponent(repository)}`)
    },
  })
  const notFound = repo.error instanceof ApiError && [401, 403, 404].includes(repo.error.status)

  return (
    <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6 sm:py-10">
      <Breadcrumb
        items={[
          { href: '/projects', label: 'Projects' },
          { href: `/projects/${encodeURIComponent(project)}`, label: project },
        ]}
      />
      <div className="mt-3 flex flex-wrap items-start justify-between gap-3">
        <h1 className="min-w-0 break-words font-mono text-2xl font-semibold tracking-tight">
          <RepositoryName name={full} />
        </h1>
        {repo.isSuccess && mayDelete && (
          <Button variant="secondary" className="text-red-700" onClick={() => setDeleting(true)}>
            Delete repository…
          </Button>
        )}
      </div>
      {repo.isPending ? (
        <LoadingRows label="Loading repository" />
      ) : repo.isError ? (
        <div className="mt-4">
          <ErrorMessage testId="repository-error">{notFound ? `There is no repository ${full} that you can see.` : errorMessage(repo.error)}</ErrorMessage>
        </div>
      ) : (
        <>
          <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-sm">
            <div className="flex gap-2">
              <dt className="text-slate-500">Artifacts</dt>
              <dd>{formatCount(repo.data.artifactCount)}</dd>
            </div>
            <div className="flex gap-2">
              <dt className="text-slate-500">Pulls</dt>
              <dd>{formatCount(Number(repo.data.pullCount ?? 0))}</dd>
            </div>
            <div className="flex gap-2">
              <dt className="text-slate-500">Last push</dt>
              <dd>
                <TimeAgo value={repo.data.lastPushedAt} />
              </dd>
            </div>
          </dl>
          <Description base={base} project={project} repository={repository} description={repo.data.description ?? ''} canEdit={mayPush} />

          <section aria-labelledby="artifacts-heading" className="mt-6 rounded-xl border border-slate-200 bg-white shadow-sm">
            <div className="flex flex-wrap items-end justify-between gap-3 border-b border-slate-200 px-4 py-3">
              <h2 id="artifacts-heading" className="text-lg font-semibold">
                Artifacts
              </h2>
              <div className="flex w-full flex-wrap items-center gap-2 sm:w-auto">
                <div role="group" aria-label="Which artifacts" className="inline-flex rounded-md border border-slate-300 p-0.5">
                  {(
                    [
                      ['', 'All'],
                      ['true', 'Tagged'],
                      ['false', 'Untagged'],
                    ] as const
                  ).map(([value, label]) => (
                    <button
                      key={label}
                      type="button"
                      aria-pressed={tagged === value}
                      onClick={() => setTagged(value)}
                      className={`rounded px-2.5 py-1 text-sm font-medium ${focusRing} ${tagged === value ? 'bg-sky-700 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
                    >
                      {label}
                    </button>
                  ))}
                </div>
                <div className="min-w-0 flex-1 sm:w-56 sm:flex-none">
                  <label htmlFor="tag-filter" className="sr-only">
                    Filter by tag
                  </label>
                  <input
                    id="tag-filter"
                    type="search"
                    placeholder="Filter by tag"
                    value={tagInput}
                    onChange={(e) => setTagInput(e.target.value)}
                    className={`${inputClass} mt-0`}
                  />
                </div>
                <label htmlFor="page-size" className="flex items-center gap-1.5 text-sm text-slate-600">
                  Per page
                  <select
                    id="page-size"
                    value={pageSize}
                    onChange={(e) => setPageSize(Number(e.target.value))}
                    className={`rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 ${focusRing}`}
                  >
                    {PAGE_SIZES.map((size) => (
                      <option key={size} value={size}>
                        {size}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
            </div>
            <div className="space-y-2 px-4 pt-3 empty:hidden">
              <SuccessMessage>{message}</SuccessMessage>
            </div>
            {artifacts.isPending ? (
              <LoadingRows label="Loading artifacts" />
            ) : artifacts.isError ? (
              <div className="p-4">
                <ErrorMessage testId="artifacts-error">{errorMessage(artifacts.error)}</ErrorMessage>
              </div>
            ) : artifacts.data.items.length === 0 ? (
              tagFilter || tagged ? (
                <p className="p-4 text-sm text-slate-600" data-testid="artifacts-none-match">
                  {tagged === 'false' && !tagFilter
                    ? 'No untagged artifacts: every artifact in this repository has a tag.'
                    : tagged === 'true' && !tagFilter
                      ? 'No tagged artifacts.'
                      : `No ${tagged === 'false' ? 'untagged ' : ''}artifact has a tag matching “${tagFilter}”.`}
                </p>
              ) : (
                <div className="space-y-3 p-4" data-testid="artifacts-empty">
                  <p className="text-sm text-slate-700">No artifacts yet.{mayPush && ' Push one:'}</p>
                  {mayPush && <PushCommands project={project} repo={repository} tag="latest" />}
                </div>
              )
            ) : (
              <>
                <div className={tableScrollClass}>
                  {/* Fits 1440 px with every column; narrower screens drop the secondary columns (the artifact page has them all). */}
                  <table className="w-full text-left text-sm" data-testid="artifact-table">
                    <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                      <tr>
                        <th scope="col" className="whitespace-nowrap px-3 py-2 font-medium">
                          Digest
                        </th>
                        <th scope="col" className="whitespace-nowrap px-3 py-2 font-medium">
                          Tags
                        </th>
                        <th scope="col" className={`${SECONDARY} whitespace-nowrap px-3 py-2 font-medium`}>
                          Kind
                        </th>
                        <th scope="col" className="hidden whitespace-nowrap px-3 py-2 font-medium sm:table-cell">
                          Platforms
                        </th>
                        <th scope="col" className={`${SECONDARY} whitespace-nowrap px-3 py-2 text-right font-medium`}>
                          Size
                        </th>
                        <th scope="col" className={`${SECONDARY} whitespace-nowrap px-3 py-2 font-medium`}>
                          Pushed
                        </th>
                        <th scope="col" className={`${SECONDARY} whitespace-nowrap px-3 py-2 font-medium`}>
                          Pulls
                        </th>
                        <th scope="col" className={`${STICKY_ACTIONS} whitespace-nowrap bg-slate-50 px-3 py-2 text-right font-medium`}>
                          <span className="sr-only">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-100">
                      {artifacts.data.items.map((artifact) => (
                        <ArtifactRow
                          key={artifact.digest}
                          artifact={artifact}
                          project={project}
                          repository={repository}
                          pullBase={`${host}/${full}`}
                          canDelete={mayDelete}
                          onDelete={(what) => {
                            setMessage(null)
                            setPending(what)
                          }}
                        />
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pagination page={page} total={artifacts.data.total} pageSize={pageSize} onChange={setPage} noun="artifact" />
              </>
            )}
          </section>
        </>
      )}
      <ConfirmDialog
        open={pending !== null}
        title={pending?.kind === 'tag' ? `Delete tag ${pending.tag.name}?` : `Delete artifact ${shortDigest(pending?.artifact.digest)}?`}
        confirmLabel={pending?.kind === 'tag' ? 'Delete tag' : 'Delete artifact'}
        action={remove}
        onCancel={() => setPending(null)}
        onConfirm={() => pending && remove.mutate(pending)}
      >
        {pending?.kind === 'tag' ? (
          <p>
            The tag{' '}
            <strong className="font-mono">
              {full}:{pending.tag.name}
            </strong>{' '}
            goes. The artifact <span className="font-mono">{shortDigest(pending.artifact.digest)}</span> stays
            {pending.artifact.tagCount > 1 ? ` with its other tags (${tagNames(pending.artifact, pending.tag.name)})` : ', untagged'}.
          </p>
        ) : pending ? (
          <div className="space-y-2">
            <p>
              The artifact <strong className="break-all font-mono">{pending.artifact.digest}</strong> goes
              {pending.artifact.tagCount ? (
                <>
                  {' '}
                  with {pending.artifact.tagCount === 1 ? 'its tag' : `all ${formatCount(pending.artifact.tagCount)} of its tags`}:{' '}
                  <strong className="font-mono">{tagNames(pending.artifact)}</strong>
                </>
              ) : (
                ' (it has no tags)'
              )}
              .
            </p>
            {pending.artifact.children.length > 0 && <p>Its platform manifests go with it, except those that have a tag or belong to another index.</p>}
            <p>Anyone pulling it by tag or digest will get “manifest unknown”.</p>
          </div>
        ) : null}
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting}
        title={`Delete repository ${full}?`}
        confirmLabel="Delete repository"
        typed={full}
        action={removeRepository}
        onCancel={() => setDeleting(false)}
        onConfirm={() => removeRepository.mutate()}
      >
        <p>
          The repository <strong className="break-all font-mono">{full}</strong> goes with all {repo.data ? formatCount(repo.data.artifactCount) : ''} of its artifacts and their
          tags. Anyone pulling from it will get “name unknown”. This cannot be undone.
        </p>
      </ConfirmDialog>
    </main>
  )
}

function ArtifactRow({
  artifact,
  project,
  repository,
  pullBase,
  canDelete,
  onDelete,
}: {
  artifact: Artifact
  project: string
  repository: string
  pullBase: string
  canDelete: boolean
  onDelete: (what: NonNullable<Pending>) => void
}) {
  const artifactHref = (digest: string) => `${repositoryPath(project, repository)}/artifacts/${encodeURIComponent(digest)}`
  const href = artifactHref(artifact.digest)
  const [expanded, setExpanded] = useState(false)
  const childrenId = `children-${artifact.digest.replace(/[^a-z0-9]/gi, '')}`
  return (
    <Fragment>
      <tr className="align-top" data-testid="artifact-row" data-digest={artifact.digest}>
        <td className="px-3 py-2.5">
          <div className="flex items-center gap-1.5">
            {artifact.children.length > 0 && (
              <button
                type="button"
                aria-expanded={expanded}
                aria-controls={expanded ? childrenId : undefined}
                aria-label={`${expanded ? 'Hide' : 'Show'} the ${artifact.children.length} manifests of index ${shortDigest(artifact.digest)}`}
                onClick={() => setExpanded(!expanded)}
                className={`rounded px-1 text-slate-600 hover:bg-slate-100 ${focusRing}`}
                data-testid="toggle-children"
              >
                <span aria-hidden className={`inline-block transition-transform ${expanded ? 'rotate-90' : ''}`}>
                  ▸
                </span>
              </button>
            )}
            <Link href={href} title={artifact.digest} className={`whitespace-nowrap rounded font-mono text-sky-700 hover:underline ${focusRing}`}>
              {shortDigest(artifact.digest)}
            </Link>
            <CopyButton text={`docker pull ${pullBase}@${artifact.digest}`} label={`Copy pull command for ${shortDigest(artifact.digest)}`} />
          </div>
        </td>
        <td className="px-3 py-2.5">
          {artifact.tagCount === 0 ? (
            <span className="text-slate-400">untagged</span>
          ) : (
            <ul className="flex max-w-[16rem] flex-wrap items-center gap-1.5">
              {artifact.tags.map((tag) => (
                <li
                  key={tag.name}
                  className="inline-flex max-w-full items-center gap-1 rounded-full bg-sky-50 py-0.5 pl-2.5 pr-1 text-xs text-sky-900 ring-1 ring-sky-200"
                  data-testid="tag-chip"
                >
                  <span className="break-all font-mono">{tag.name}</span>
                  <CopyButton text={`docker pull ${pullBase}:${tag.name}`} label={`Copy pull command for ${tag.name}`} compact />
                  {canDelete && (
                    <button
                      type="button"
                      aria-label={`Delete tag ${tag.name}`}
                      title={`Delete tag ${tag.name}`}
                      onClick={() => onDelete({ kind: 'tag', artifact, tag })}
                      className={`rounded-full px-1.5 text-sky-800 hover:bg-red-100 hover:text-red-800 ${focusRing}`}
                    >
                      <span aria-hidden>×</span>
                    </button>
                  )}
                </li>
              ))}
              {artifact.tagCount > artifact.tags.length && (
                <li>
                  <Link href={`${href}#tags-heading`} className={`whitespace-nowrap rounded text-xs font-medium text-sky-700 hover:underline ${focusRing}`} data-testid="more-tags">
                    +{formatCount(artifact.tagCount - artifact.tags.length)} more<span className="sr-only"> tags of {shortDigest(artifact.digest)}</span>
                  </Link>
                </li>
              )}
            </ul>
          )}
        </td>
        <td className={`${SECONDARY} px-3 py-2.5`}>
          <span title={artifact.artifactType ?? artifact.mediaType}>{KIND_LABELS[artifact.kind] ?? artifact.kind}</span>
          {artifact.referrers.length > 0 && <span className="ml-1 text-xs text-slate-500">+{countOf(artifact.referrers.length, 'referrer')}</span>}
        </td>
        <td className="hidden max-w-[14rem] px-3 py-2.5 font-mono text-xs sm:table-cell">{artifact.platforms.length ? artifact.platforms.map(formatPlatform).join(', ') : '—'}</td>
        <td className={`${SECONDARY} whitespace-nowrap px-3 py-2.5 text-right tabular-nums`} title={`${artifact.size.toLocaleString('en-US')} bytes`}>
          {formatBytes(artifact.size)}
        </td>
        <td className={`${SECONDARY} whitespace-nowrap px-3 py-2.5`}>
          <TimeAgo value={artifact.pushedAt} />
        </td>
        <td className={`${SECONDARY} whitespace-nowrap px-3 py-2.5`}>
          <span className="tabular-nums">{formatCount(artifact.pullCount)}</span>
          <span className="block text-xs text-slate-500">
            last <TimeAgo value={artifact.lastPulledAt} />
          </span>
        </td>
        <td className={`${STICKY_ACTIONS} bg-white px-3 py-2.5 text-right`}>
          {canDelete && (
            <Button
              variant="ghost"
              className="px-2 py-1 text-red-700"
              aria-label={`Delete artifact ${shortDigest(artifact.digest)}`}
              onClick={() => onDelete({ kind: 'artifact', artifact })}
            >
              Delete
            </Button>
          )}
        </td>
      </tr>
      {expanded &&
        artifact.children.map((child, i) => (
          <ChildRow key={child.digest} child={child} id={i === 0 ? childrenId : undefined} href={artifactHref(child.digest)} pullBase={pullBase} />
        ))}
    </Fragment>
  )
}

/** A manifest of an index, folded under it: no Delete (it goes with the index, or stays while the index needs it). */
function ChildRow({ child, id, href, pullBase }: { child: ArtifactChild; id?: string; href: string; pullBase: string }) {
  return (
    <tr id={id} className="bg-slate-50 align-top" data-testid="child-row" data-digest={child.digest}>
      <td className="py-2 pl-9 pr-3">
        <div className="flex items-center gap-1.5">
          <span aria-hidden className="text-slate-400">
            └
          </span>
          {child.present ? (
            <Link href={href} title={child.digest} className={`whitespace-nowrap rounded font-mono text-sky-700 hover:underline ${focusRing}`}>
              {shortDigest(child.digest)}
            </Link>
          ) : (
            <span title={child.digest} className="whitespace-nowrap font-mono text-slate-500">
              {shortDigest(child.digest)}
            </span>
          )}
          {child.present && <CopyButton text={`docker pull ${pullBase}@${child.digest}`} label={`Copy pull command for ${shortDigest(child.digest)}`} />}
        </div>
      </td>
      <td className="px-3 py-2 text-xs text-slate-500" data-testid="child-note">
        {child.present ? 'Part of the index above: deleted with it, not on its own.' : 'Missing from this repository.'}
      </td>
      <td className={`${SECONDARY} px-3 py-2 text-slate-600`}>Platform</td>
      <td className="hidden px-3 py-2 font-mono text-xs sm:table-cell">{formatPlatform(child.platform)}</td>
      <td className={`${SECONDARY} whitespace-nowrap px-3 py-2 text-right tabular-nums`}>{formatBytes(child.size)}</td>
      <td className={SECONDARY} />
      <td className={SECONDARY} />
      <td className={`${STICKY_ACTIONS} bg-slate-50`} />
    </tr>
  )
}

function Description({ base, project, repository, description, canEdit }: { base: string; project: string; repository: string; description: string; canEdit: boolean }) {
  const queryClient = useQueryClient()
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState(description)
  const save = useMutation({
    mutationFn: () => api(base, { method: 'PATCH', body: { description: draft } }),
    onSuccess: async () => {
      setEditing(false)
      await queryClient.invalidateQueries({ queryKey: ['repository', project, repository] })
    },
  })
  return (
    <section aria-labelledby="description-heading" className="mt-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex items-center justify-between gap-3">
        <h2 id="description-heading" className="text-lg font-semibold">
          Description
        </h2>
        {canEdit && !editing && (
          <Button
            variant="secondary"
            onClick={() => {
              setDraft(description)
              save.reset()
              setEditing(true)
            }}
          >
            Edit description
          </Button>
        )}
      </div>
      {editing ? (
        <form
          className="mt-3 space-y-3"
          onSubmit={(event) => {
            event.preventDefault()
            save.mutate()
          }}
        >
          <label htmlFor="description-editor" className="sr-only">
            Description (Markdown)
          </label>
          <textarea id="description-editor" rows={8} value={draft} onChange={(e) => setDraft(e.target.value)} className={`${inputClass} font-mono`} autoFocus />
          <ErrorMessage testId="description-error">{save.isError ? errorMessage(save.error) : null}</ErrorMessage>
          <div className="flex gap-2">
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save description'}
            </Button>
            <Button variant="secondary" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : description.trim() ? (
        <div className="mt-3">
          <Markdown source={description} />
        </div>
      ) : (
        <p className="mt-3 text-sm text-slate-500">No description{canEdit ? ' yet.' : '.'}</p>
      )}
    </section>
  )
}
