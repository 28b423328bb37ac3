// Migration CLI (the Prisma CLI cannot run migrations offline, STACK.md G1):
//   npm run migrate:deploy                   apply pending migrations to DATABASE_URL
//   npm run migrate:create -- <name>         write prisma/migrations/<ts>_<name> from schema.prisma changes
//   npm run migrate:status                   applied / pending / failed / edited migrations (exit 1 unless up to date)
//   npm run migrate:diff                     print the SQL schema.prisma still needs (exit 2 on drift: a CI guard)
//   npm run migrate:reset [-- --force]       drop everything and re-apply (asks unless --force)
//   tsx scripts/db.ts migrate:resolve --rolled-back <name> | --applied <name>
// DATABASE_URL: postgresql://… or pglite:<dir> (default pglite:./data/db). Never run this against a PGlite
// dir a running server has open (G11).
import { createInterface } from 'node:readline/promises'
import { loadConfig } from '../lib/config'
import { closeDatabases, redact } from '../lib/db/database-url'
import { migrateCreate, migrateDeploy, migrateDiff, migrateReset, migrateResolve, migrateStatus } from '../lib/db/migrate'

const USAGE = `usage: tsx scripts/db.ts <command>
  migrate:deploy
  migrate:create <name>
  migrate:status
  migrate:diff
  migrate:reset [--force]
  migrate:resolve --rolled-back <name> | --applied <name>`

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv
  switch (command) {
    case 'migrate:deploy': {
      await migrateDeploy(loadConfig().databaseUrl)
      return 0
    }
    case 'migrate:create': {
      const name = args.filter((a) => !a.startsWith('-')).join('_')
      if (!name) {
        console.error('usage: npm run migrate:create -- <name>')
        return 1
      }
      const out = await migrateCreate(name)
      if (out.name) process.stdout.write(out.sql.endsWith('\n') ? out.sql : out.sql + '\n')
      return 0
    }
    case 'migrate:diff': {
      const { changed, sql } = await migrateDiff()
      if (changed) {
        process.stdout.write(sql.endsWith('\n') ? sql : sql + '\n')
        console.error('Drift: prisma/schema.prisma has changes no migration covers. Run npm run migrate:create -- <name>.')
        return 2
      }
      console.error('No drift: the migrations match prisma/schema.prisma.')
      return 0
    }
    case 'migrate:status': {
      const url = loadConfig().databaseUrl
      const s = await migrateStatus(url)
      console.log(`Database: ${redact(url)}`)
      console.log(`${s.local.length} migration(s) found in prisma/migrations`)
      if (!s.hasMigrationsTable) console.log('The database has no _prisma_migrations table yet.')
      for (const f of s.failedMigrationNames) console.log(`failed:  ${f}  (fix it, then migrate:resolve --rolled-back ${f})`)
      for (const e of s.editedMigrationNames) console.log(`edited:  ${e}  (changed after it was applied)`)
      const h = s.history
      if (h?.diagnostic === 'databaseIsBehind') for (const n of h.unappliedMigrationNames) console.log(`pending: ${n}`)
      if (h?.diagnostic === 'migrationsDirectoryIsBehind') for (const n of h.unpersistedMigrationNames) console.log(`applied but missing locally: ${n}`)
      if (h?.diagnostic === 'historiesDiverge') {
        console.log(`histories diverge after ${h.lastCommonMigrationName ?? '(start)'}`)
        for (const n of h.unappliedMigrationNames) console.log(`pending: ${n}`)
        for (const n of h.unpersistedMigrationNames) console.log(`applied but missing locally: ${n}`)
      }
      console.log(s.upToDate ? 'Database schema is up to date.' : 'Database schema is NOT up to date.')
      return s.upToDate ? 0 : 1
    }
    case 'migrate:reset': {
      const url = loadConfig().databaseUrl
      const force = args.includes('--force') || args.includes('-f')
      if (!force && !(await confirm(`Drop ALL data in ${redact(url)} and re-apply migrations? [y/N] `))) {
        console.error('Aborted (pass --force to reset without asking).')
        return 1
      }
      await migrateReset(url)
      return 0
    }
    case 'migrate:resolve': {
      const i = args.findIndex((a) => a === '--rolled-back' || a === '--applied')
      const name = i >= 0 ? args[i + 1] : undefined
      if (!name) {
        console.error('usage: tsx scripts/db.ts migrate:resolve --rolled-back <name> | --applied <name>')
        return 1
      }
      await migrateResolve(loadConfig().databaseUrl, args[i] === '--applied' ? { applied: name } : { rolledBack: name })
      return 0
    }
    default:
      console.error(USAGE)
      return command ? 1 : 0
  }
}

main(process.argv.slice(2))
  .then(async (code) => {
    await closeDatabases()
    process.exitCode = code
  })
  .catch(async (e: unknown) => {
    console.error(`Error: ${e instanceof Error ? e.message : String(e)}`)
    if (process.env.MIGRATE_DEBUG && e instanceof Error) console.error(e.stack)
    await closeDatabases()
    process.exitCode = 1
  })
