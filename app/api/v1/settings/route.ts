// GET|PUT /api/v1/settings ({signupEnabled}): system admins only.
import { apiRoute } from '@/lib/api/route'
import { parseBody } from '@/lib/api/parse'
import { json } from '@/lib/api/respond'
import { getSettings, settingsUpdateSchema, updateSettings } from '@/lib/settings'

export const GET = apiRoute(async ({ caller, prisma }) => json(await getSettings(prisma, caller)))

export const PUT = apiRoute(async ({ request, caller, prisma }) => json(await updateSettings(prisma, caller, await parseBody(request, settingsUpdateSchema))))
