// The first steps of the breadcrumb on a project's repository and artifact pages.

export function projectCrumbs(project: string): { href: string; label: string }[] {
  return [
    { href: '/projects', label: 'Projects' },
    { href: `/projects/${encodeURIComponent(project)}`, label: project },
  ]
}
