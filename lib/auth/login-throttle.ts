// Failed-login throttling, shared by all replicas through the `LoginThrottle` table.
//
// Two keys per attempt: the account (`account:<username>`) and the client address (`address:<ip>`).
// Each failure increments the key's counter; from the `threshold`-th failure on, the key is blocked
// for 2^(failures - threshold) seconds, capped at 15 minutes. A key's counter starts again after
// `resetAfter` without failures. A success clears the account key (not the address key, so that an
// attacker holding one valid account cannot clear their address's record by logging in).
//
// A blocked attempt is not even checked: the caller answers it exactly like a wrong password.
// Blocks apply to password attempts only: access tokens and robot secrets (256 random bits) cannot
// be guessed, so an attacker spamming wrong passwords cannot lock CI credentials out.
import type { AppConfig } from '../config'
import type { PrismaClient } from '../db/prisma'
import { runtime } from '../runtime'

export interface ThrottlePolicy {
  /** Failures before an account is blocked. */
  accountThreshold: number
  /** Failures before a client address is blocked (higher: many users may share a NAT address). */
  addressThreshold: number
  /** Longest block, in seconds. */
  maxBlockSeconds: number
  /** A key without failures for this long starts again from zero, in seconds. */
  resetAfterSeconds: number
}

/**
 * The policy of the runtime's configuration: LOGIN_FAILURES_PER_ACCOUNT (default 5) and
 * LOGIN_FAILURES_PER_ADDRESS (default 30), read and validated by lib/config.ts; 0 switches that key off.
 */
export function throttlePolicy(config: Pick<AppConfig, 'loginFailuresPerAccount' | 'loginFailuresPerAddress'>): ThrottlePolicy {
  return { accountThreshold: config.loginFailuresPerAccount, addressThreshold: config.loginFailuresPerAddress, maxBlockSeconds: 15 * 60, resetAfterSeconds: 60 * 60 }
}

export const accountKey = (username: string) => `account:${username.toLowerCase().slice(0, 200)}`
export const addressKey = (address: string) => `address:${address.slice(0, 100)}`

function keysOf(username: string, remoteAddress?: string): string[] {
  return remoteAddress ? [accountKey(username), addressKey(remoteAddress)] : [accountKey(username)]
}

export interface ThrottleState {
  /** The account or the address is blocked right now. */
  blocked: boolean
  /** The account has failures on record (so a success should clear them). */
  accountHasFailures: boolean
}

/** Whether the account or the address is currently blocked. One indexed read. */
export async function loginThrottleState(prisma: PrismaClient, username: string, remoteAddress?: string): Promise<ThrottleState> {
  const rows = await prisma.loginThrottle.findMany({
    where: { key: { in: keysOf(username, remoteAddress) } },
    select: { key: true, blockedUntil: true },
  })
  const now = Date.now()
  return {
    blocked: rows.some((row) => row.blockedUntil.getTime() > now),
    accountHasFailures: rows.some((row) => row.key === accountKey(username)),
  }
}

/** Counts a failure against the account and the address (one atomic upsert per key). */
export async function recordLoginFailure(
  prisma: PrismaClient,
  username: string,
  remoteAddress: string | undefined,
  policy: ThrottlePolicy = throttlePolicy(runtime().config),
): Promise<void> {
  const entries: Array<[string, number]> = []
  if (policy.accountThreshold > 0) entries.push([accountKey(username), policy.accountThreshold])
  if (remoteAddress && policy.addressThreshold > 0) entries.push([addressKey(remoteAddress), policy.addressThreshold])
  for (const [key, threshold] of entries) {
    // failures' = 1 after a quiet period, else failures + 1; blocked from the threshold on.
    await prisma.$executeRaw`
      INSERT INTO "LoginThrottle" ("key", "failures", "lastFailure", "blockedUntil")
      VALUES (${key}, 1, now(), CASE WHEN 1 >= ${threshold}::int THEN now() + interval '1 second' ELSE now() END)
      ON CONFLICT ("key") DO UPDATE SET
        "failures" = CASE WHEN "LoginThrottle"."lastFailure" < now() - make_interval(secs => ${policy.resetAfterSeconds}::int)
                          THEN 1 ELSE "LoginThrottle"."failures" + 1 END,
        "lastFailure" = now(),
        "blockedUntil" = CASE
          WHEN (CASE WHEN "LoginThrottle"."lastFailure" < now() - make_interval(secs => ${policy.resetAfterSeconds}::int)
                     THEN 1 ELSE "LoginThrottle"."failures" + 1 END) >= ${threshold}::int
          THEN now() + make_interval(secs => LEAST(${policy.maxBlockSeconds}::int,
                 power(2, LEAST(30, (CASE WHEN "LoginThrottle"."lastFailure" < now() - make_interval(secs => ${policy.resetAfterSeconds}::int)
                                          THEN 1 ELSE "LoginThrottle"."failures" + 1 END) - ${threshold}::int))::int))
          ELSE "LoginThrottle"."blockedUntil" END`
  }
}

/** Forgets the account's failures after a successful login. */
export async function clearAccountFailures(prisma: PrismaClient, username: string): Promise<void> {
  await prisma.loginThrottle.deleteMany({ where: { key: accountKey(username) } })
}
