/**
 * Answers a request Node's HTTP parser could not read (garbage, a body overrunning its
 * length) in the same `{"error": ...}` shape as every other refusal, then closes the socket.
 */
import type { Socket } from 'node:net';

/** Fastify's `clientErrorHandler`. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = timeout ? '408 Request Timeout' : '400 Bad Request';
  const body = JSON.stringify({
    error: timeout ? 'request timed out' : 'malformed HTTP request',
  });
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
