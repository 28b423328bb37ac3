// An image's configuration (OS, architecture, entrypoint, labels …) or, for what has none, its platforms.
import type { ArtifactDetail } from '@/lib/artifacts/schema'
import { formatPlatform } from '../format'
import { TimeAgo } from '../widgets'
import { Section } from './section'

/** A command as JSON (as a Dockerfile writes it), or a dash. */
const commandText = (command: string[] | null | undefined) => (command?.length ? JSON.stringify(command) : '—')

export function ConfigSection({ artifact }: { artifact: ArtifactDetail }) {
  const config = artifact.config
  if (!config)
    return (
      <Section title="Platforms" id="platforms-heading">
        {artifact.platforms.length === 0 ? (
          <p className="text-sm text-slate-500">No platform information.</p>
        ) : (
          <p className="font-mono text-sm">{artifact.platforms.map(formatPlatform).join(', ')}</p>
        )}
      </Section>
    )
  return (
    <Section title="Configuration" id="config-heading">
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
        <dt className="text-slate-500">OS</dt>
        <dd>{config.os ?? '—'}</dd>
        <dt className="text-slate-500">Architecture</dt>
        <dd>{config.architecture ?? '—'}</dd>
        <dt className="text-slate-500">Created</dt>
        <dd>
          <TimeAgo value={config.created} fallback="—" />
        </dd>
        <dt className="text-slate-500">Entrypoint</dt>
        <dd className="break-all font-mono text-xs">{commandText(config.entrypoint)}</dd>
        <dt className="text-slate-500">Command</dt>
        <dd className="break-all font-mono text-xs">{commandText(config.cmd)}</dd>
        <dt className="text-slate-500">Labels</dt>
        <dd>
          {Object.keys(config.labels ?? {}).length === 0 ? (
            '—'
          ) : (
            <ul className="space-y-0.5 font-mono text-xs">
              {Object.entries(config.labels).map(([key, value]) => (
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
  )
}
