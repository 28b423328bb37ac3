// The system settings shapes /api/v1 returns: the OpenAPI document's schemas and the dashboard's types.
// Schema only (zod, nothing server-side), so browser code may import it.
import { z } from 'zod'

/** The wire shape of Settings (OpenAPI). */
export const settingsSchema = z.object({
  signupEnabled: z.boolean(),
  mirrorProject: z.string().nullable().describe('the proxy-cache project serving names that are not local projects (the transparent mirror); null: off'),
  defaultStorageLimit: z.number().describe('the storage quota new projects get, in bytes; -1: unlimited'),
  quotaWarningPercent: z.number().describe('the share of its quota a project uses when QUOTA_WARNING fires'),
})
