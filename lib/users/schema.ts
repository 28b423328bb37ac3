// The user shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'

/** The wire shape of a PublicUser (OpenAPI). */
export const userSchema = z.object({
  id: z.number(),
  username: z.string(),
  email: z.string().nullable(),
  isAdmin: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
  lastLoginAt: z.iso.datetime().nullable(),
})

/** GET /users/me: the user, and whether the request came with an access token. */
export const currentUserSchema = userSchema.extend({ viaToken: z.boolean() })

/** A user as the API sends it (dates as ISO strings). */
export type User = z.infer<typeof userSchema>
export type CurrentUser = z.infer<typeof currentUserSchema>
