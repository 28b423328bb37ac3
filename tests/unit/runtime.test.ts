import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { errorResponse, location } from '../../lib/api/respond'
import { loadConfig } from '../../lib/config'
import { installRuntime, runtime, type Runtime } from '../../lib/runtime'

/** A runtime whose logger writes JSON lines into `lines`. */
function capturingRuntime(lines: Record<string, unknown>[]): Runtime {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { config: loadConfig({}), logger: pino({ level: 'info' }, sink) }
}

const SLOT = Symbol.for('harbormaster.runtime')

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[SLOT]
  vi.unstubAllEnvs()
})

describe('runtime', () => {
  it('is the one installed through the shared slot', () => {
    const installed = capturingRuntime([])
    installRuntime(installed)
    expect(runtime()).toBe(installed)
    expect((globalThis as Record<symbol, unknown>)[SLOT]).toBe(installed)
  })

  it('outside tests, an uninstalled runtime is a clear error', () => {
    vi.stubEnv('VITEST', '')
    expect(() => runtime()).toThrow(/runtime is not installed/)
  })

  it('under vitest, is built once from the environment when none is installed', () => {
    const built = runtime()
    expect(built.config).toEqual(loadConfig())
    expect(runtime()).toBe(built)
  })
})

describe('/api/v1 errors log through the runtime logger', () => {
  it('an unexpected error is logged by pino with its stack, not by console', async () => {
    const lines: Record<string, unknown>[] = []
    installRuntime(capturingRuntime(lines))
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const response = errorResponse(new Error('boom'))
      expect(response.status).toBe(500)
      await vi.waitFor(() => expect(lines).toHaveLength(1))
      expect(lines[0]).toMatchObject({ level: 50, msg: '[api] unexpected error', err: { message: 'boom' } })
      expect(consoleError).not.toHaveBeenCalled()
    } finally {
      consoleError.mockRestore()
    }
  })
})

describe('lib reads the configuration from the runtime', () => {
  it('/api/v1 Location headers use the installed PUBLIC_URL', () => {
    installRuntime({ ...capturingRuntime([]), config: loadConfig({ PUBLIC_URL: 'https://registry.example.com' }) })
    expect(location('/api/v1/projects/1')).toBe('https://registry.example.com/api/v1/projects/1')
  })
})
