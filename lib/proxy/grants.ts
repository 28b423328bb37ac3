// Bearer tokens for the transparent mirror. A mirror client (dockerd's registry-mirrors) asks the
// token service for `repository:library/alpine:pull`, but /v2 serves and authorizes that request as
// `<proxy project>/library/alpine` (lib/proxy/router.ts): the mirror project, or the proxy project
// `ns=` selects. So for a pull of a name whose project is not local, the token also names it under
// every proxy-cache project the caller may pull from; the authorizer then finds the grant for
// whichever serves it, and a project the caller may not pull from is never granted.
import type { PrismaClient } from '../db/prisma'
import { registryActions, type Subject } from '../auth/permissions'
import { projectContexts, projectNameOf } from '../auth/project-access'

/** The names under which proxy projects may serve `names` (pulls of names in no local project). */
export async function mirroredPullNames(prisma: PrismaClient, subject: Subject, names: string[], localProjects: ReadonlySet<string>): Promise<string[]> {
  const unserved = names.filter((name) => !localProjects.has(projectNameOf(name) ?? name))
  if (!unserved.length) return []
  const proxies = await prisma.project.findMany({ where: { proxyRegistryId: { not: null } }, select: { name: true } })
  if (!proxies.length) return []
  const contexts = await projectContexts(
    prisma,
    subject,
    proxies.map((p) => p.name),
  )
  const pullable = [...contexts.values()].filter((project) => registryActions(subject, project).includes('pull')).map((project) => project.name)
  return unserved.flatMap((name) => pullable.map((project) => `${project}/${name}`))
}
