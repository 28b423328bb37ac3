// The sections of a project page, each at its own URL (/projects/<name> for repositories,
// /projects/<name>/<tab> for the others), and the permission a caller needs to see each. Shared by
// the pages in app/projects/[name] (titles, unknown tabs) and the client component that renders them.
import type { ProjectAction } from '@/lib/auth/permissions'

export type ProjectTab = 'repositories' | 'members' | 'robots' | 'webhooks' | 'immutability' | 'retention' | 'logs' | 'settings'

export const PROJECT_TABS: readonly { id: ProjectTab; label: string; requires: ProjectAction }[] = [
  { id: 'repositories', label: 'Repositories', requires: 'project:read' },
  { id: 'members', label: 'Members', requires: 'member:list' },
  { id: 'robots', label: 'Robot accounts', requires: 'robot:list' },
  { id: 'webhooks', label: 'Webhooks', requires: 'webhook:manage' },
  { id: 'immutability', label: 'Tag immutability', requires: 'immutable:manage' },
  { id: 'retention', label: 'Tag retention', requires: 'retention:manage' },
  { id: 'logs', label: 'Logs', requires: 'audit:read' },
  { id: 'settings', label: 'Settings', requires: 'project:update' },
]

/** The tab a URL segment names (`undefined` for none of them); no segment is the repositories tab. */
export function projectTab(segment: string | undefined): (typeof PROJECT_TABS)[number] | undefined {
  return PROJECT_TABS.find((tab) => tab.id === (segment ?? 'repositories'))
}

export function projectTabPath(project: string, tab: ProjectTab): string {
  const base = `/projects/${encodeURIComponent(project)}`
  return tab === 'repositories' ? base : `${base}/${tab}`
}
