// Signed-in pages: without a session cookie, /account and /admin redirect to /login?callbackUrl=….
// /projects is not among them: anyone may browse public projects (read-only), as Harbor allows; what
// a visitor sees there is decided by the API, which answers for private projects as if they did not exist.
// This only checks the cookie's signature; the pages' data comes from the API, which re-checks the user.
import { withAuth } from 'next-auth/middleware'

export default withAuth({ pages: { signIn: '/login' } })

export const config = { matcher: ['/account', '/account/:path*', '/admin', '/admin/:path*'] }
