// The tag immutability rule as /api/v1 returns it: the OpenAPI schema and the dashboard's type.
import { z } from 'zod'

export const immutableRuleSchema = z.object({
  id: z.number(),
  repositories: z.string(),
  tags: z.string(),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type ImmutableRuleView = z.infer<typeof immutableRuleSchema>
