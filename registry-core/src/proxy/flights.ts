// Upstream fetches shared: concurrent requests for the same missing content in one process join one
// fetch (single-flight), and the fetch runs under the Upstream port's cross-replica lock, so replicas
// fetch it once too (the fetch re-checks the cache once it holds the lock).
import type { Upstream } from '../ports'

export class Flights {
  private readonly running = new Map<string, Promise<unknown>>()

  constructor(private readonly exclusive: Upstream['exclusive']) {}

  /** Joins the fetch running under `key`, or starts `fetch` as it, under the lock `key`; the key is free again once it settles. */
  run<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key) as Promise<T> | undefined
    if (existing) return existing
    const started = this.exclusive(key, fetch).finally(() => this.running.delete(key))
    this.running.set(key, started)
    return started
  }
}
