// The access token shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'
import type { TokenPermission } from '../auth/permissions'

export const TOKEN_PERMISSIONS: readonly TokenPermission[] = ['read', 'readWrite', 'readWriteDelete']

/** The wire shape of an AccessTokenView (OpenAPI). */
export const accessTokenSchema = z.object({
  id: z.number(),
  name: z.string(),
  permission: z.enum(TOKEN_PERMISSIONS as [TokenPermission, ...TokenPermission[]]),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  expired: z.boolean(),
})

/** A token just created: its secret, shown this once. */
export const createdAccessTokenSchema = accessTokenSchema.extend({ secret: z.string().describe('hmp_…; shown only in this response') })

/** A token as the API sends it (dates as ISO strings). */
export type AccessToken = z.infer<typeof accessTokenSchema>
/** A token just created, with its secret. */
export type CreatedAccessToken = z.infer<typeof createdAccessTokenSchema>
