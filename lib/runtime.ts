// The process's services, built once by server.ts and read by lib code through `runtime()`.
// server.ts (bundled by esbuild) and Next's route chunks are separate module graphs in one process,
// so the services are handed over through ONE well-known globalThis slot rather than per-module state.
import { loadConfig, type AppConfig } from './config'
import { createLogger, type Logger } from './logger'

export interface Runtime {
  readonly config: AppConfig
  readonly logger: Logger
}

const SLOT = Symbol.for('harbormaster.runtime')
const holder = globalThis as typeof globalThis & { [SLOT]?: Runtime }

/** Makes `services` the process's runtime (server.ts at start; tests that need their own). */
export function installRuntime(services: Runtime): void {
  holder[SLOT] = services
}

/** The runtime built from the environment, as server.ts builds it. */
export function runtimeFromEnvironment(env: Record<string, string | undefined> = process.env): Runtime {
  const config = loadConfig(env)
  return { config, logger: createLogger(config.logLevel) }
}

/**
 * The process's runtime. Under vitest a module used without a server gets one built from the
 * environment; anywhere else an unset runtime is a wiring bug and says so.
 */
export function runtime(): Runtime {
  const installed = holder[SLOT]
  if (installed) return installed
  if (!process.env.VITEST) throw new Error('the harbormaster runtime is not installed: server.ts must call installRuntime() before serving')
  const built = runtimeFromEnvironment()
  installRuntime(built)
  return built
}
