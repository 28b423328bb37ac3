'use client'
// The facts at the top of the artifact page (digest, kind, size, push and pull times) and its pull command.
import type { ArtifactDetail } from '@/lib/artifacts/schema'
import { countOf, formatBytes, KIND_LABELS } from '../format'
import { CommandLine, CopyButton, TimeAgo } from '../widgets'

export function ArtifactSummary({ artifact, pullBase }: { artifact: ArtifactDetail; pullBase: string }) {
  return (
    <>
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="text-slate-500">Digest</dt>
        <dd className="flex min-w-0 items-center gap-2">
          <code className="break-all font-mono text-xs">{artifact.digest}</code>
          <CopyButton text={artifact.digest} label="Copy digest" />
        </dd>
        <dt className="text-slate-500">Kind</dt>
        <dd>
          {KIND_LABELS[artifact.kind]} <span className="break-all font-mono text-xs text-slate-500">{artifact.artifactType ?? artifact.mediaType}</span>
        </dd>
        <dt className="text-slate-500">Size</dt>
        <dd title={`${artifact.size.toLocaleString('en-US')} bytes`}>{formatBytes(artifact.size)}</dd>
        <dt className="text-slate-500">Pushed</dt>
        <dd>
          <TimeAgo value={artifact.pushedAt} />
        </dd>
        <dt className="text-slate-500">Last pulled</dt>
        <dd>
          <TimeAgo value={artifact.lastPulledAt} /> · {countOf(artifact.pullCount, 'pull')}
        </dd>
      </dl>
      <div className="max-w-3xl space-y-2">
        <CommandLine command={`docker pull ${pullBase}@${artifact.digest}`} label="Copy pull command by digest" />
      </div>
    </>
  )
}
