// GET /v1/_ping: dockerd pings it before `docker search host/term` (the folder is `%5Fping` because Next
// treats folders that start with `_` as private). "Standalone": no separate index, credentials go to us.
import { json } from '@/lib/api/respond'

export const dynamic = 'force-dynamic'

export function GET(): Response {
  return json({ standalone: true }, { headers: { 'X-Docker-Registry-Standalone': 'true' } })
}
