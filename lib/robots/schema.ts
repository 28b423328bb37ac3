// The robot account shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'
import type { RobotAction } from '../auth/permissions'

export const ROBOT_ACTIONS: readonly RobotAction[] = ['pull', 'push', 'delete']

/** The wire shape of a RobotView (OpenAPI). */
export const robotSchema = z.object({
  id: z.number(),
  name: z.string().describe('robot$<project>+<name> or robot$<name>'),
  description: z.string(),
  project: z.string().nullable().describe('the owning project; null for a system robot'),
  permissions: z.array(z.object({ project: z.string(), actions: z.array(z.enum(ROBOT_ACTIONS as [RobotAction, ...RobotAction[]])) })),
  disabled: z.boolean(),
  expiresAt: z.iso.datetime().nullable(),
  expired: z.boolean(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  createdBy: z.string().nullable(),
})

const robotSecretSchema = z.string().describe('hmr_…; shown only in this response')

/** A robot just created: its secret, shown this once. */
export const createdRobotSchema = robotSchema.extend({ secret: robotSecretSchema })

/** A robot just updated: with its new secret when refreshSecret was asked for. */
export const updatedRobotSchema = robotSchema.extend({ secret: robotSecretSchema.optional() })

/** A robot as the API sends it (dates as ISO strings). */
export type Robot = z.infer<typeof robotSchema>
/** A robot just created, with its secret. */
export type CreatedRobot = z.infer<typeof createdRobotSchema>
