/**
 * Splitting a peer address ("host:port", or "[v6]:port") into what `net.connect` takes. Addresses
 * come from configuration and gossip, so a malformed one is an operating error (a value), not a throw.
 */
import type { PeerAddress } from './ids.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function parsePeerAddress(address: PeerAddress): HostPort | undefined {
  const colon = address.lastIndexOf(':');
  if (colon <= 0 || colon === address.length - 1) return undefined;
  const portText = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.length === 0) return undefined;
  return { host, port };
}

export function formatPeerAddress(host: string, port: number): PeerAddress {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
