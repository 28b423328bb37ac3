// The Docker token service (`docker login`, every pull and push): see lib/auth/token-service.ts.
import { defaultTokenServiceDeps, handleTokenGet, handleTokenPost } from '@/lib/auth/token-service'

export const dynamic = 'force-dynamic'
export const runtime = 'nodejs'

export async function GET(request: Request): Promise<Response> {
  return handleTokenGet(await defaultTokenServiceDeps(), request)
}

export async function POST(request: Request): Promise<Response> {
  return handleTokenPost(await defaultTokenServiceDeps(), request)
}
