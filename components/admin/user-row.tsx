'use client'
// One user in the administration table: name with badges, email, dates and the action buttons.
import type { User as AdminUser } from '@/lib/users/schema'
import { focusRing } from '../ui'
import { TimeAgo } from '../widgets'
import { USER_ACTIONS, describeAction, type UserAction } from './user-actions'

export function UserRow({ user, me, onAction }: { user: AdminUser; me: string; onAction: (kind: UserAction) => void }) {
  return (
    <tr className="align-middle">
      <td className="px-5 py-3">
        <span className="font-medium text-slate-900">{user.username}</span>
        {user.username === me && <span className="ml-1.5 text-xs text-slate-500">(you)</span>}
        {user.isAdmin && <span className="ml-2 inline-flex items-center rounded-full bg-violet-100 px-2 py-0.5 text-xs font-medium text-violet-800">Admin</span>}
        {user.disabled && <span className="ml-2 inline-flex items-center rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-700">Disabled</span>}
      </td>
      <td className="max-w-[16rem] truncate px-3 py-3 text-slate-600" title={user.email ?? undefined}>
        {user.email ?? <span className="text-slate-400">—</span>}
      </td>
      <td className="px-3 py-3 text-slate-600">
        <TimeAgo value={user.createdAt} />
      </td>
      <td className="px-3 py-3 text-slate-600">
        <TimeAgo value={user.lastLoginAt} />
      </td>
      <td className="px-5 py-3">
        <div className="flex flex-wrap justify-end gap-1.5">
          {USER_ACTIONS.map((kind) => {
            const action = describeAction(kind, user, me)
            return (
              <button
                key={kind}
                type="button"
                onClick={() => onAction(kind)}
                aria-label={action.aria}
                className={`whitespace-nowrap rounded-md border bg-white px-2.5 py-1 text-xs font-medium hover:bg-slate-100 ${kind === 'delete' ? 'border-red-300 text-red-700' : 'border-slate-300 text-slate-700'} ${focusRing}`}
              >
                {action.label}
              </button>
            )
          })}
        </div>
      </td>
    </tr>
  )
}
