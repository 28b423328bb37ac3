/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships wasm and data files that must be loaded from node_modules at run time, not bundled.
  serverExternalPackages: ['@electric-sql/pglite', 'pglite-prisma-adapter'],
  poweredByHeader: false,
  // The build checks the application's own sources; `npm run typecheck` covers tests, bench and scripts too.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
}
export default nextConfig
