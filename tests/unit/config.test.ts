import { describe, expect, it } from 'vitest'
import { resolve } from 'node:path'
import { ConfigError, loadConfig } from '../../lib/config'

describe('loadConfig', () => {
  it('has working defaults: PGlite under DATA_DIR, 4 MiB manifests, no blob limit', () => {
    const config = loadConfig({})
    expect(config.port).toBe(5000)
    expect(config.dataDir).toBe(resolve('data'))
    expect(config.databaseUrl).toBe(`pglite:${resolve('data', 'db')}`)
    expect(config.maxManifestBytes).toBe(4 * 1024 * 1024)
    expect(config.maxBlobBytes).toBe(0)
    expect(config.adminUsername).toBe('admin')
  })

  it('parses units and trims the public URL', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://registry.example.com/', MAX_BLOB_SIZE: '2g', UPLOAD_PURGE_AFTER: '90m', DATA_DIR: '/srv/r' })
    expect(config.publicUrl).toBe('https://registry.example.com')
    expect(config.maxBlobBytes).toBe(2 * 1024 ** 3)
    expect(config.uploadPurgeAfterMs).toBe(90 * 60 * 1000)
    expect(config.databaseUrl).toBe('pglite:/srv/r/db')
  })

  it('closes idle connections after IDLE_TIMEOUT (default 2 minutes, at least 1 s)', () => {
    expect(loadConfig({}).idleTimeoutMs).toBe(120_000)
    expect(loadConfig({ IDLE_TIMEOUT: '2s' }).idleTimeoutMs).toBe(2000)
    expect(() => loadConfig({ IDLE_TIMEOUT: '500ms' })).toThrow(/IDLE_TIMEOUT: must be at least 1s/)
    expect(() => loadConfig({ IDLE_TIMEOUT: 'soon' })).toThrow(/IDLE_TIMEOUT/)
  })

  it('serves metrics on METRICS_PORT and behind METRICS_TOKEN only when set, and drains for SHUTDOWN_TIMEOUT (default 30 s)', () => {
    const defaults = loadConfig({})
    expect(defaults.metricsPort).toBeUndefined()
    expect(defaults.metricsToken).toBeUndefined()
    expect(defaults.shutdownTimeoutMs).toBe(30_000)
    const set = loadConfig({ METRICS_PORT: '9102', METRICS_TOKEN: 'a-metrics-token-0123456789', SHUTDOWN_TIMEOUT: '2m' })
    expect(set).toMatchObject({ metricsPort: 9102, metricsToken: 'a-metrics-token-0123456789', shutdownTimeoutMs: 120_000 })
    expect(() => loadConfig({ METRICS_PORT: '5000' })).toThrow(/METRICS_PORT: must differ from PORT/)
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/)
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 16 characters/)
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT: 'later' })).toThrow(/SHUTDOWN_TIMEOUT/)
  })

  it('selects the S3 blob store with BLOB_STORE=s3 and its S3_* settings; the filesystem by default', () => {
    expect(loadConfig({}).blobStore).toEqual({ kind: 'filesystem' })
    const s3 = {
      BLOB_STORE: 's3',
      S3_ENDPOINT: 'http://127.0.0.1:7480',
      S3_BUCKET: 'registry',
      S3_ACCESS_KEY_ID: 'AK',
      S3_SECRET_ACCESS_KEY: 'SK',
      S3_FORCE_PATH_STYLE: '1',
      S3_PREFIX: 'blobs/prod',
      S3_REDIRECT: 'true',
    }
    expect(loadConfig(s3).blobStore).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      bucket: 'registry',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      forcePathStyle: true,
      prefix: 'blobs/prod',
      redirect: true,
    })
    expect(loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'registry' }).blobStore).toMatchObject({ credentials: undefined, forcePathStyle: false, redirect: false })
    expect(() => loadConfig({ BLOB_STORE: 's3' })).toThrow(/S3_BUCKET: required with BLOB_STORE=s3/)
    expect(() => loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'registry', S3_ACCESS_KEY_ID: 'AK' })).toThrow(/S3_ACCESS_KEY_ID: set both/)
    expect(() => loadConfig({ BLOB_STORE: 'ftp' })).toThrow(/BLOB_STORE/)
    expect(() => loadConfig({ ...s3, S3_BUCKET: 'No_Such' })).toThrow(/S3_BUCKET: must be an S3 bucket name/)
    expect(() => loadConfig({ ...s3, S3_REDIRECT: 'yes' })).toThrow(/S3_REDIRECT/)
  })

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', PUBLIC_URL: '' }).port).toBe(5000)
  })

  it('parses UPSTREAM_ALLOWED_NETWORKS like WEBHOOK_ALLOWED_NETWORKS, and reports a bad entry by name', () => {
    expect(loadConfig({}).upstream.allowedNetworks).toEqual([])
    expect(loadConfig({ UPSTREAM_ALLOWED_NETWORKS: '127.0.0.1/32, 10.0.0.0/8 fd00::/8' }).upstream.allowedNetworks).toEqual(['127.0.0.1/32', '10.0.0.0/8', 'fd00::/8'])
    expect(() => loadConfig({ UPSTREAM_ALLOWED_NETWORKS: '10.0.0.0/33' })).toThrow(/UPSTREAM_ALLOWED_NETWORKS: "10.0.0.0\/33" has a prefix length outside 0-32/)
  })

  it('reports every bad variable by name, at once', () => {
    try {
      loadConfig({ PORT: 'abc', PUBLIC_URL: 'ftp://x', DATABASE_URL: 'mysql://db', MAX_MANIFEST_SIZE: 'lots', ADMIN_PASSWORD: 'short', LOG_LEVEL: 'loud' })
      expect.fail('accepted a bad configuration')
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      const names = (error as ConfigError).problems.map((p) => p.split(':')[0])
      expect(names.sort()).toEqual(['ADMIN_PASSWORD', 'DATABASE_URL', 'LOG_LEVEL', 'MAX_MANIFEST_SIZE', 'PORT', 'PUBLIC_URL'])
    }
  })

  it('holds ADMIN_PASSWORD to the password policy: a common password stops the start', () => {
    for (const weak of ['password', 'password1234', 'qwertyuiop123']) {
      expect(() => loadConfig({ ADMIN_PASSWORD: weak })).toThrow(/ADMIN_PASSWORD: password (must be at least 12|is too common)/)
    }
    expect(loadConfig({ ADMIN_PASSWORD: 'e2e-admin-password' }).adminPassword).toBe('e2e-admin-password')
  })
})
