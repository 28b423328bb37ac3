// next-auth's endpoints: /api/auth/csrf, /session, /callback/credentials, /signout, …
import NextAuth from 'next-auth'
import { authOptions } from '@/lib/auth/next-auth'

const handler = NextAuth(authOptions)

export { handler as GET, handler as POST }
