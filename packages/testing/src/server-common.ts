// What every test HTTP server of the kit (the OpenAI server, the protocol fakes) does the same way.
import type { IncomingMessage, Server } from 'node:http';
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

/** Largest request body the test servers read (a bigger one is refused, not buffered). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

// Every provider's key header: a recorded request never holds a credential, whichever protocol sent it.
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'api-key', 'x-api-key', 'openai-api-key', 'x-goog-api-key']);

/** The request's headers as recorded: one string each, credentials replaced by [REDACTED]. */
export function redactHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[key] = SECRET_HEADERS.has(key) ? '[REDACTED]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
