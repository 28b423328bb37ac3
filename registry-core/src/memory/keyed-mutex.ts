// `Upstream.exclusive` for a single process (and for tests): one holder per key at a time, waiters
// served in order. Replicas need a lock they share instead (e.g. a PostgreSQL advisory lock).
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>()

  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release = () => {}
    const tail = new Promise<void>((resolve) => (release = resolve))
    const chained = previous.then(() => tail)
    this.tails.set(key, chained)
    await previous
    try {
      return await fn()
    } finally {
      release()
      if (this.tails.get(key) === chained) this.tails.delete(key)
    }
  }
}
