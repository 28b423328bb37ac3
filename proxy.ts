// Signed-in pages: without a session cookie, /projects, /account and /admin redirect to /login?callbackUrl=….
// This only checks the cookie's signature; the pages' data comes from the API, which re-checks the user.
import { withAuth } from 'next-auth/middleware'

export default withAuth({ pages: { signIn: '/login' } })

export const config = { matcher: ['/projects', '/projects/:path*', '/account', '/account/:path*', '/admin', '/admin/:path*'] }
