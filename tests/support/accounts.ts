/**
 * Accounts fixture for the HTTP and real-client suites against our server: users in every project
 * role, a public and a private project, robots and access tokens of each permission level.
 *
 * Written straight into the database before the server starts (`startRegistryServer({ prepare })`),
 * because PGlite belongs to one process at a time; the same code seeds PostgreSQL. The admin is
 * created here too (with its personal project `admin`), so the tests do not depend on the server's
 * bootstrap for it. Handed to tests through `inject('registry').accounts`.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { migrateDeploy } from '../../lib/db/migrate'
import { createPrisma } from '../../lib/db/prisma'
import { closePglite, parseDatabaseUrl } from '../../lib/db/database-url'
import { createUser } from '../../lib/users'
import { generateSecret, hashSecret } from '../../lib/auth/credentials'
import type { ProjectRole, TokenPermission } from '../../lib/auth/permissions'

export interface Account {
  user: string
  password: string
}

export interface AccountsFixture {
  /** Public project owned by `owner`, with every role as a member. */
  publicProject: string
  /** Private project owned by `owner`, with every role as a member. */
  privateProject: string
  /** Project admin of both (and of its personal project). */
  owner: Account
  /** Members of both projects in each role. */
  roles: Record<ProjectRole, Account>
  /** A user who is a member of neither project (has their own personal project). */
  outsider: Account
  /** A second system admin (besides `admin`). */
  sysadmin: Account
  /** Project robots with pull+push in the public / private project, and one with pull only in the private one. */
  robots: { publicPush: Account; privatePush: Account; privatePull: Account; disabled: Account; expired: Account }
  /** Access tokens of the private project's maintainer (who may pull, push and delete), as Basic credentials. */
  tokens: Record<TokenPermission, Account> & { expired: Account }
  /** A user reserved for the login throttle test (nothing else may use it). */
  throttled: Account
  /**
   * The user whose wrong passwords suites check: failures on a shared account add up across suites
   * (a login served from the credential cache never resets them) until the throttle blocks it.
   */
  mistyped: Account
  /** The server's token signing key (DATA_DIR/token/private.pem; exists once the server has started). */
  tokenKeyFile: string
}

const pw = () => `pw-${randomBytes(9).toString('hex')}`

export async function seedAccounts(databaseUrl: string, admin: Account, dataDir: string): Promise<AccountsFixture> {
  await migrateDeploy(databaseUrl, { log: () => {}, keepPgliteOpen: true })
  const prisma = createPrisma(databaseUrl)
  try {
    const create = async (user: string, isAdmin = false): Promise<Account & { id: number }> => {
      const password = user === admin.user ? admin.password : pw()
      const created = await createUser(prisma, { username: user, password }, { isAdmin })
      return { user, password, id: created.id }
    }
    await create(admin.user, true)
    const owner = await create('owner')
    const sysadmin = await create('sysadmin', true)
    const outsider = await create('outsider')
    const throttled = await create('throttled')
    const mistyped = await create('mistyped')
    const roleUsers = {} as Record<ProjectRole, Account & { id: number }>
    for (const [role, name] of [
      ['projectAdmin', 'padmin'],
      ['maintainer', 'maint'],
      ['developer', 'dev'],
      ['guest', 'guest'],
      ['limitedGuest', 'lguest'],
    ] as const) {
      roleUsers[role] = await create(name)
    }

    const publicProject = await prisma.project.create({ data: { name: 'pub', public: true } })
    const privateProject = await prisma.project.create({ data: { name: 'priv', public: false } })
    for (const project of [publicProject, privateProject]) {
      await prisma.member.create({ data: { projectId: project.id, userId: owner.id, role: 'projectAdmin' } })
      for (const [role, account] of Object.entries(roleUsers)) {
        await prisma.member.create({ data: { projectId: project.id, userId: account.id, role: role as ProjectRole } })
      }
    }

    const robot = async (name: string, projectId: number, actions: string[], extra: { disabled?: boolean; expiresAt?: Date } = {}) => {
      const secret = generateSecret('hmr_')
      await prisma.robot.create({
        data: {
          name,
          projectId,
          secretHash: hashSecret(secret),
          createdById: owner.id,
          ...extra,
          permissions: { create: { projectId, actions } },
        },
      })
      return { user: name, password: secret }
    }
    const robots = {
      publicPush: await robot('robot$pub+ci', publicProject.id, ['pull', 'push']),
      privatePush: await robot('robot$priv+ci', privateProject.id, ['pull', 'push']),
      privatePull: await robot('robot$priv+reader', privateProject.id, ['pull']),
      disabled: await robot('robot$priv+disabled', privateProject.id, ['pull', 'push'], { disabled: true }),
      expired: await robot('robot$priv+expired', privateProject.id, ['pull', 'push'], { expiresAt: new Date(Date.now() - 60_000) }),
    }

    const maint = roleUsers.maintainer
    const token = async (name: string, permission: TokenPermission, expiresAt?: Date) => {
      const secret = generateSecret('hmp_')
      await prisma.accessToken.create({ data: { userId: maint.id, name, permission, secretHash: hashSecret(secret), expiresAt } })
      return { user: maint.user, password: secret }
    }
    const tokens = {
      read: await token('read', 'read'),
      readWrite: await token('read-write', 'readWrite'),
      readWriteDelete: await token('read-write-delete', 'readWriteDelete'),
      expired: await token('expired', 'readWriteDelete', new Date(Date.now() - 60_000)),
    }

    const strip = ({ user, password }: Account): Account => ({ user, password })
    return {
      publicProject: publicProject.name,
      privateProject: privateProject.name,
      owner: strip(owner),
      roles: Object.fromEntries(Object.entries(roleUsers).map(([k, v]) => [k, strip(v)])) as Record<ProjectRole, Account>,
      outsider: strip(outsider),
      sysadmin: strip(sysadmin),
      robots,
      tokens,
      throttled: strip(throttled),
      mistyped: strip(mistyped),
      tokenKeyFile: join(dataDir, 'token', 'private.pem'),
    }
  } finally {
    await prisma.$disconnect()
    const target = parseDatabaseUrl(databaseUrl)
    if (target.kind === 'pglite') await closePglite(target.dataDir)
  }
}
