// What an administrator can do to a user, and how each action is named, asked and reported.
import type { User as AdminUser } from '@/lib/users/schema'

export type UserAction = 'admin' | 'disable' | 'sessions' | 'reset' | 'delete'

/** The actions in the order their buttons stand in a user's row. */
export const USER_ACTIONS: readonly UserAction[] = ['admin', 'disable', 'reset', 'sessions', 'delete']

/** What each action asks, does and reports. */
export function describeAction(kind: UserAction, user: AdminUser, me: string) {
  const own = user.username === me ? ' This is your own account.' : ''
  switch (kind) {
    case 'admin':
      return user.isAdmin
        ? {
            label: 'Revoke admin',
            aria: `Revoke admin from ${user.username}`,
            title: `Revoke admin from ${user.username}?`,
            done: `${user.username} is no longer a system administrator.`,
            text: `${user.username} will lose access to this page, to all projects they are not a member of, and to system settings.${own}`,
          }
        : {
            label: 'Make admin',
            aria: `Make ${user.username} admin`,
            title: `Make ${user.username} a system administrator?`,
            done: `${user.username} is now a system administrator.`,
            text: `${user.username} will be able to read and change every project, manage users and change system settings.`,
          }
    case 'disable':
      return user.disabled
        ? {
            label: 'Enable',
            aria: `Enable ${user.username}`,
            title: `Enable ${user.username}?`,
            done: `${user.username} can sign in again.`,
            text: `${user.username} will be able to sign in and use their access tokens again.`,
          }
        : {
            label: 'Disable',
            aria: `Disable ${user.username}`,
            title: `Disable ${user.username}?`,
            done: `${user.username} is disabled and signed out everywhere.`,
            text: `${user.username} is signed out at once and cannot sign in, use access tokens or push and pull until enabled again.${own}`,
          }
    case 'sessions':
      return {
        label: 'End sessions',
        aria: `End sessions of ${user.username}`,
        title: `End all sessions of ${user.username}?`,
        done: `All sessions of ${user.username} ended.`,
        text: `${user.username} is signed out in every browser. Their password and access tokens keep working.${own}`,
      }
    case 'reset':
      return {
        label: 'Reset password',
        aria: `Reset password of ${user.username}`,
        title: `Set a new password for ${user.username}`,
        done: `New password set for ${user.username}; their sessions ended.`,
        text: `The old password stops working and ${user.username} is signed out everywhere. Tell them the new password.`,
      }
    case 'delete':
      return {
        label: 'Delete',
        aria: `Delete ${user.username}`,
        title: `Delete ${user.username}?`,
        done: `${user.username} was deleted.`,
        text: `The account, its memberships and access tokens are deleted. The personal project ${user.username} and its images stay, managed by system administrators.${own}`,
      }
  }
}
