// The project member shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod and the role list), so browser code may import it.
import { z } from 'zod'
import { PROJECT_ROLES, type ProjectRole } from '../auth/permissions'

export const roleSchema = z.enum(PROJECT_ROLES as [ProjectRole, ...ProjectRole[]], {
  error: `role must be one of ${PROJECT_ROLES.join(', ')}`,
})

/** The wire shape of a MemberView (OpenAPI). */
export const memberSchema = z.object({
  userId: z.number(),
  username: z.string(),
  role: roleSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})

/** A member as the API sends it (dates as ISO strings). */
export type Member = z.infer<typeof memberSchema>
