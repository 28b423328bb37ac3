// The shape of every /api/v1 route handler: authenticate, run the handler, map any error in one
// place. Handlers stay thin: validate -> lib -> respond.
import type { AuthenticatedCaller } from './authenticate'
import { authenticateRequest } from './authenticate'
import { errorResponse } from './respond'
import type { PrismaClient } from '../db/prisma'
import { runtime } from '../runtime'

export interface HandlerContext<P> {
  request: Request
  params: P
  caller: AuthenticatedCaller
  prisma: PrismaClient
}

export function apiRoute<P extends Record<string, string> = Record<string, never>>(
  handler: (context: HandlerContext<P>) => Promise<Response>,
): (request: Request, context: { params: Promise<P> }) => Promise<Response> {
  return async (request, context) => {
    try {
      const params = (await context?.params) ?? ({} as P)
      const caller = await authenticateRequest(request)
      return await handler({ request, params, caller, prisma: runtime().prisma })
    } catch (error) {
      return errorResponse(error)
    }
  }
}
