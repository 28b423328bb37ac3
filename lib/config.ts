// Configuration from environment variables, validated once at start. Every bad value is reported
// with its variable name; the process exits with status 1 rather than run half-configured.
import { resolve } from 'node:path'
import { z } from 'zod'
import { passwordSchema } from './auth/password-policy'
import { parseAllowedNetworks } from './net/outbound-guard'

const MiB = 1024 * 1024

/** Accepts `5000`, `5000b`, `64k`, `4m`, `2g` (binary units). */
const byteSize = z
  .string()
  .trim()
  .regex(/^\d+\s*[kmgt]?i?b?$/i, 'must be a byte size such as 4194304, 512k, 4m or 2g')
  .transform((value) => {
    const match = /^(\d+)\s*([kmgt]?)/i.exec(value)!
    const power = ' kmgt'.indexOf((match[2] || ' ').toLowerCase())
    return Number(match[1]) * 1024 ** power
  })

/** Accepts `250ms`, `90s`, `15m`, `24h`, `7d` or plain seconds; yields milliseconds. */
const duration = z
  .string()
  .trim()
  .regex(/^\d+\s*(ms|[smhd])?$/i, 'must be a duration such as 3600, 500ms, 90s, 15m, 24h or 7d')
  .transform((value) => {
    const match = /^(\d+)\s*(ms|[smhd]?)/i.exec(value)!
    const unitMs = { '': 1000, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2].toLowerCase() as '' | 'ms' | 's' | 'm' | 'h' | 'd']
    return Number(match[1]) * unitMs
  })

/** CIDRs and single addresses, separated by commas or spaces (lib/net/outbound-guard.ts). */
const allowedNetworks = z
  .string()
  .default('')
  .transform((value, ctx) => {
    try {
      return parseAllowedNetworks(value)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
      return z.NEVER
    }
  })

/** `1`/`true` or `0`/`false`. */
const flag = z
  .enum(['0', '1', 'false', 'true'])
  .default('0')
  .transform((value) => value === '1' || value === 'true')

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(5000),
  BIND_HOST: z.string().trim().min(1).default('0.0.0.0'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://registry.example.com' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^(postgres(ql)?:\/\/|pglite:)/, 'must start with postgresql:// or pglite:')
    .optional(),
  ADMIN_USERNAME: z
    .string()
    .trim()
    .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'must be lowercase letters and digits, separated by . _ or -')
    .min(2)
    .max(64)
    .default('admin'),
  ADMIN_PASSWORD: passwordSchema.optional(),
  MAX_MANIFEST_SIZE: byteSize.default(4 * MiB),
  MAX_BLOB_SIZE: byteSize.default(0),
  UPLOAD_PURGE_AFTER: duration.default(24 * 3600 * 1000),
  UPLOAD_PURGE_INTERVAL: duration.default(3600 * 1000),
  SCHEDULER_INTERVAL: duration.default(30_000).refine((ms) => ms >= 100, 'must be at least 100ms'),
  MANIFEST_CACHE_TTL: duration.default(2000),
  IDLE_TIMEOUT: duration.default(120_000).refine((ms) => ms >= 1000, 'must be at least 1s'),
  TRUST_PROXY: z
    .enum(['0', '1', 'false', 'true'])
    .default('0')
    .transform((value) => value === '1' || value === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TOKEN_ISSUER: z.string().trim().min(1).max(200).default('harbormaster-token-service'),
  TOKEN_SERVICE: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^"\\\s]+$/, 'must not contain quotes, backslashes or spaces (it appears in WWW-Authenticate)')
    .default('harbormaster-registry'),
  TOKEN_LIFETIME: duration.default(300 * 1000).refine((ms) => ms >= 60_000, 'must be at least 60 seconds'),
  TOKEN_PRIVATE_KEY_FILE: z.string().trim().min(1).optional(),
  SECRET_KEY: z.string().trim().min(32, 'must be at least 32 characters (try: openssl rand -base64 32)').optional(),
  SECRET_KEY_FILE: z.string().trim().min(1).optional(),
  // Read by lib/auth/login-throttle.ts from the environment; validated here so a bad value stops the start.
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(0).max(1000).default(5),
  LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(0).max(100000).default(30),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  WEBHOOK_RETRY_BASE: duration.default(10_000).refine((ms) => ms >= 10, 'must be at least 10ms'),
  WEBHOOK_RETRY_MAX: duration.default(3_600_000),
  WEBHOOK_TIMEOUT: duration.default(10_000).refine((ms) => ms >= 100 && ms <= 120_000, 'must be between 100ms and 120s'),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  WEBHOOK_LOG_RETENTION: duration.default(30 * 86_400_000).refine((ms) => ms >= 3_600_000, 'must be at least 1h'),
  WEBHOOK_ALLOWED_NETWORKS: allowedNetworks,
  UPSTREAM_ALLOWED_NETWORKS: allowedNetworks,
  UPSTREAM_TIMEOUT: duration.default(30_000).refine((ms) => ms >= 100 && ms <= 600_000, 'must be between 100ms and 10m'),
  MIRROR_PROJECT: z.string().trim().min(1).max(255).optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters (try: openssl rand -hex 24)').optional(),
  SHUTDOWN_TIMEOUT: duration.default(30_000),
  BLOB_STORE: z.enum(['filesystem', 's3']).default('filesystem'),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as http://127.0.0.1:7480' }).optional(),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_BUCKET: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)')
    .optional(),
  S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
  S3_FORCE_PATH_STYLE: flag,
  S3_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9!_.*'()/-]{1,200}$/, "must be a key prefix of letters, digits and !_.*'()-/")
    .optional(),
  S3_REDIRECT: flag,
})

export interface AppConfig {
  port: number
  bindHost: string
  publicUrl?: string
  dataDir: string
  databaseUrl: string
  adminUsername: string
  adminPassword?: string
  maxManifestBytes: number
  maxBlobBytes: number
  uploadPurgeAfterMs: number
  uploadPurgeIntervalMs: number
  /** How often each process looks for due scheduled jobs (GC, retention). */
  schedulerIntervalMs: number
  manifestCacheTtlMs: number
  /** A connection on which nothing is received or sent for this long is closed. */
  idleTimeoutMs: number
  trustProxy: boolean
  logLevel: z.infer<typeof schema>['LOG_LEVEL']
  /** `iss` of the registry tokens (and what /v2 requires). */
  tokenIssuer: string
  /** `service` in the Bearer challenge and `aud` of the registry tokens. */
  tokenService: string
  tokenLifetimeMs: number
  /** LOGIN_FAILURES_PER_ACCOUNT / _PER_ADDRESS: failed password logins before a key is blocked (0: never). */
  loginFailuresPerAccount: number
  loginFailuresPerAddress: number
  /** PEM (PKCS#8) EC P-256 private key; default: generated once under DATA_DIR/token/. */
  tokenPrivateKeyFile?: string
  /** The key of the secret envelope (lib/secrets), given directly; default: generated once as DATA_DIR/secret-key. */
  secretKey?: string
  /** A file holding that key (a mounted secret), instead of SECRET_KEY. */
  secretKeyFile?: string
  webhooks: WebhookSettings
  upstream: UpstreamSettings
  /** METRICS_PORT: a port of its own serving /metrics on BIND_HOST; absent: none. */
  metricsPort?: number
  /** METRICS_TOKEN: /metrics on the main port to callers with this Bearer token; absent: not on the main port. */
  metricsToken?: string
  /** SHUTDOWN_TIMEOUT: how long requests in flight may run on after SIGTERM before they are cut. */
  shutdownTimeoutMs: number
  /** BLOB_STORE: where blobs live (default: the filesystem under DATA_DIR/registry). */
  blobStore: BlobStoreSettings
}

export type BlobStoreSettings = { kind: 'filesystem' } | ({ kind: 's3' } & S3Settings)

export interface S3Settings {
  /** S3_ENDPOINT: an S3-compatible service (Ceph, MinIO); unset for AWS itself. */
  endpoint?: string
  region: string
  bucket: string
  /** Both or neither: without them the AWS SDK's default chain (environment, instance role) applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string }
  forcePathStyle: boolean
  prefix?: string
  /** S3_REDIRECT: blob GETs answer 307 to a presigned URL instead of streaming. */
  redirect: boolean
}

export interface UpstreamSettings {
  /** Private networks (CIDRs) upstream registries may nevertheless be in. */
  allowedNetworks: string[]
  /** UPSTREAM_TIMEOUT: how long a pull waits for an upstream's answer (a manifest, a blob's first bytes) or for more of a blob. */
  timeoutMs: number
  /** MIRROR_PROJECT: stored as the `mirrorProject` setting at every start (the transparent mirror). */
  mirrorProject?: string
}

export interface WebhookSettings {
  /** Attempts per delivery before it is marked failed. */
  maxAttempts: number
  /** Delay before the second attempt; doubles with every further one (with jitter), up to `retryMaxMs`. */
  retryBaseMs: number
  retryMaxMs: number
  /** Per attempt: connect, response headers and body. */
  timeoutMs: number
  /** Deliveries sent at once by this process. */
  concurrency: number
  /** Private networks (CIDRs) targets may nevertheless be in. */
  allowedNetworks: string[]
  /** Finished deliveries (and their attempts) older than this are deleted. */
  logRetentionMs: number
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

/** Parses the environment; throws ConfigError listing every bad variable. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const input = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`))
  }
  if (parsed.data.SECRET_KEY && parsed.data.SECRET_KEY_FILE) throw new ConfigError(['SECRET_KEY_FILE: set SECRET_KEY or SECRET_KEY_FILE, not both'])
  if (parsed.data.METRICS_PORT === parsed.data.PORT) throw new ConfigError(['METRICS_PORT: must differ from PORT (set METRICS_TOKEN to serve /metrics on the main port)'])
  const values = parsed.data
  const blobStore = blobStoreSettings(values)
  const dataDir = resolve(values.DATA_DIR)
  return {
    port: values.PORT,
    bindHost: values.BIND_HOST,
    publicUrl: values.PUBLIC_URL,
    dataDir,
    databaseUrl: values.DATABASE_URL ?? `pglite:${resolve(dataDir, 'db')}`,
    adminUsername: values.ADMIN_USERNAME,
    adminPassword: values.ADMIN_PASSWORD,
    maxManifestBytes: values.MAX_MANIFEST_SIZE,
    maxBlobBytes: values.MAX_BLOB_SIZE,
    uploadPurgeAfterMs: values.UPLOAD_PURGE_AFTER,
    uploadPurgeIntervalMs: values.UPLOAD_PURGE_INTERVAL,
    schedulerIntervalMs: values.SCHEDULER_INTERVAL,
    manifestCacheTtlMs: values.MANIFEST_CACHE_TTL,
    idleTimeoutMs: values.IDLE_TIMEOUT,
    trustProxy: values.TRUST_PROXY,
    logLevel: values.LOG_LEVEL,
    tokenIssuer: values.TOKEN_ISSUER,
    tokenService: values.TOKEN_SERVICE,
    tokenLifetimeMs: values.TOKEN_LIFETIME,
    loginFailuresPerAccount: values.LOGIN_FAILURES_PER_ACCOUNT,
    loginFailuresPerAddress: values.LOGIN_FAILURES_PER_ADDRESS,
    tokenPrivateKeyFile: values.TOKEN_PRIVATE_KEY_FILE ? resolve(values.TOKEN_PRIVATE_KEY_FILE) : undefined,
    secretKey: values.SECRET_KEY,
    secretKeyFile: values.SECRET_KEY_FILE ? resolve(values.SECRET_KEY_FILE) : undefined,
    webhooks: {
      maxAttempts: values.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: values.WEBHOOK_RETRY_BASE,
      retryMaxMs: Math.max(values.WEBHOOK_RETRY_MAX, values.WEBHOOK_RETRY_BASE),
      timeoutMs: values.WEBHOOK_TIMEOUT,
      concurrency: values.WEBHOOK_CONCURRENCY,
      allowedNetworks: values.WEBHOOK_ALLOWED_NETWORKS,
      logRetentionMs: values.WEBHOOK_LOG_RETENTION,
    },
    upstream: { allowedNetworks: values.UPSTREAM_ALLOWED_NETWORKS, timeoutMs: values.UPSTREAM_TIMEOUT, mirrorProject: values.MIRROR_PROJECT },
    metricsPort: values.METRICS_PORT,
    metricsToken: values.METRICS_TOKEN,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT,
    blobStore,
  }
}

function blobStoreSettings(values: z.infer<typeof schema>): BlobStoreSettings {
  if (values.BLOB_STORE === 'filesystem') return { kind: 'filesystem' }
  const problems: string[] = []
  if (!values.S3_BUCKET) problems.push('S3_BUCKET: required with BLOB_STORE=s3')
  if (!values.S3_ACCESS_KEY_ID !== !values.S3_SECRET_ACCESS_KEY) problems.push('S3_ACCESS_KEY_ID: set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither')
  if (problems.length > 0) throw new ConfigError(problems)
  return {
    kind: 's3',
    endpoint: values.S3_ENDPOINT,
    region: values.S3_REGION,
    bucket: values.S3_BUCKET!,
    credentials: values.S3_ACCESS_KEY_ID ? { accessKeyId: values.S3_ACCESS_KEY_ID, secretAccessKey: values.S3_SECRET_ACCESS_KEY! } : undefined,
    forcePathStyle: values.S3_FORCE_PATH_STYLE,
    prefix: values.S3_PREFIX,
    redirect: values.S3_REDIRECT,
  }
}
