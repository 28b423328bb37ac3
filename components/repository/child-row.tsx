'use client'
import Link from 'next/link'
import type { ArtifactChild } from '@/lib/artifacts/schema'
import { formatBytes, formatPlatform, shortDigest } from '../format'
import { focusRing } from '../ui'
import { CopyButton } from '../widgets'
import { SECONDARY, STICKY_ACTIONS } from './columns'

/** A manifest of an index, folded under it: no Delete (it goes with the index, or stays while the index needs it). */
export function ChildRow({ child, id, href, pullBase }: { child: ArtifactChild; id?: string; href: string; pullBase: string }) {
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
