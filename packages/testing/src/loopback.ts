import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Listen on 127.0.0.1 (never another interface: tests talk to this machine only); resolves to the port. */
export async function listenOnLoopback(server: Server, port: number | undefined, what: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`${what} did not get a TCP port`);
  return address.port;
}

/**
 * Close the server and destroy its sockets: hung requests and idle keep-alive connections would otherwise keep
 * close() (and the test process) waiting.
 */
export async function closeWithSockets(server: Server, sockets: Iterable<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await closed;
}
