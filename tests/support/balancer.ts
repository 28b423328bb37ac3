/**
 * A round-robin TCP balancer on loopback, for tests that run several replicas behind one address:
 * each new connection is piped to the next backend; a backend that refuses the connection is
 * skipped (the next one is tried), as a load balancer's health check would. It records which
 * backend took each connection and how many request bytes each has been sent, so a test can see
 * that requests were spread and can act while bytes flow to one backend.
 *
 *   const lb = await startBalancer()               // listen first: replicas need its URL as PUBLIC_URL
 *   lb.setBackends([s1.port, s2.port, s3.port])
 *   ... lb.url, lb.connections, lb.onData((backend, total) => ...) ...
 *   await lb.close()
 */
import net from 'node:net'

export interface Balancer {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  /** The backend ports, in round-robin order. */
  setBackends(ports: number[]): void
  /** The backend port that took each connection, in the order the connections came. */
  readonly connections: number[]
  /** Calls `listener(port, total)` whenever request bytes go to backend `port` (`total`: all bytes sent to it so far). */
  onData(listener: ((port: number, total: number) => void) | undefined): void
  close(): Promise<void>
}

export async function startBalancer(): Promise<Balancer> {
  let backends: number[] = []
  let next = 0
  const connections: number[] = []
  const sent = new Map<number, number>()
  let listener: ((port: number, total: number) => void) | undefined
  const sockets = new Set<net.Socket>()

  /** Connects to the next backend that accepts, trying each at most once; null when none does. */
  const connectNext = async (): Promise<{ port: number; socket: net.Socket } | null> => {
    for (let tried = 0; tried < backends.length; tried++) {
      const port = backends[next++ % backends.length]
      const socket = await new Promise<net.Socket | null>((resolve) => {
        const s = net.connect(port, '127.0.0.1')
        s.once('connect', () => resolve(s))
        s.once('error', () => resolve(null))
      })
      if (socket) return { port, socket }
    }
    return null
  }

  const server = net.createServer((client) => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.pause()
    void connectNext().then((backend) => {
      if (!backend || client.destroyed) {
        backend?.socket.destroy()
        client.destroy()
        return
      }
      const { port, socket } = backend
      connections.push(port)
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      client.on('data', (chunk) => {
        const total = (sent.get(port) ?? 0) + chunk.length
        sent.set(port, total)
        listener?.(port, total)
      })
      // A reset on either side resets the other: a client must see a killed replica as a broken connection.
      client.on('error', () => socket.destroy())
      socket.on('error', () => client.destroy())
      client.on('close', () => socket.destroy())
      socket.on('close', () => client.destroy())
      client.pipe(socket)
      socket.pipe(client)
      client.resume()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setBackends(ports) {
      backends = [...ports]
    },
    connections,
    onData(l) {
      listener = l
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
