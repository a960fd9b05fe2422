/** Writing a response: the one signature every route answers through, and the JSON shapes they share. */

export type Send = (status: number, body?: string | Uint8Array, headers?: Record<string, string>) => void;

export function sendJson(send: Send, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
}

export function badRequest(send: Send, message: string): void {
  sendJson(send, 400, { error: message, code: 'bad_request' });
}
