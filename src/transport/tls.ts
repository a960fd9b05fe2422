/**
 * TLS for the peer port: TLS 1.3 only, both sides present a certificate of the cluster CA, and the
 * receiver learns the sender's node id from the certificate's CN (node/… then requires every
 * envelope to claim exactly that id).
 *
 * Strict mode listens with node:tls directly (the native fast path); a plaintext peer fails the
 * handshake and is refused, counted through `onRefused`. Transitional mode (rolling enablement of
 * a running plain cluster) accepts both on one port, told apart by the first byte: a TLS record
 * starts with 0x16, a dynamo hello with "D". It dials TLS first and falls back to plain for a peer
 * that is still plain (outbound-link.ts). Only then does a connection carry no verified identity.
 */
import { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext, type TLSSocket, type TLSSocketOptions } from 'node:tls';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import type { PeerTlsOptions } from './types.js';

const TLS_HANDSHAKE_RECORD = 0x16;

const contexts = new WeakMap<PeerTlsOptions, SecureContext>();

/** One context per set of options: building one parses the key and the CA, which reconnects need not repeat. */
export function peerSecureContext(tls: PeerTlsOptions): SecureContext {
  let context = contexts.get(tls);
  if (context === undefined) {
    context = createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3' });
    contexts.set(tls, context);
  }
  return context;
}

export function serverTlsOptions(tls: PeerTlsOptions): TLSSocketOptions & { minVersion: 'TLSv1.3' } {
  return { ca: tls.ca, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: true };
}

/**
 * Options of `tls.connect` to a peer: our certificate and the cluster CA, SNI only for names. The
 * peer must hold a certificate of the cluster CA, but not one that lists the address dialled:
 * a member's address is whatever it advertises, and a peer's identity is checked where it counts,
 * on the receiving side, against the node id its envelopes claim. (The hosts in a certificate
 * matter to HTTPS clients such as curl.)
 */
export function dialTlsOptions(tls: PeerTlsOptions, host: string): { secureContext: SecureContext; servername?: string; minVersion: 'TLSv1.3'; checkServerIdentity: () => undefined } {
  return { secureContext: peerSecureContext(tls), minVersion: 'TLSv1.3', checkServerIdentity: () => undefined, ...(isIP(host) === 0 ? { servername: host } : {}) };
}

/** The node id a verified peer certificate names, or undefined when there is none or no CN. */
export function peerIdOf(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn.length > 0 ? cn : undefined;
}

/**
 * Waits for the first bytes of a transitional connection and hands on either the plain socket
 * (the bytes put back) or a stream of the whole connection for a tls.Server (which verifies the
 * peer as it does for its own sockets). The TLS layer reads a socket's handle directly and would
 * miss bytes put back with `unshift`, so it gets them through a small Duplex.
 */
export function sniff(socket: Socket, onPlain: (socket: Socket) => void, onTls: (stream: Duplex) => void): void {
  socket.once('data', (first: Buffer) => {
    socket.pause();
    if (first[0] !== TLS_HANDSHAKE_RECORD) {
      socket.unshift(first);
      onPlain(socket);
      socket.resume();
      return;
    }
    const relay = new Duplex({
      read: () => socket.resume(),
      write: (chunk: Buffer, _encoding, done) => socket.write(chunk, done),
      final: (done) => {
        socket.end();
        done();
      },
      destroy: (error, done) => {
        socket.destroy();
        done(error);
      },
    });
    socket.on('data', (chunk: Buffer) => {
      if (!relay.push(chunk)) socket.pause();
    });
    socket.on('end', () => relay.push(null));
    socket.on('close', () => relay.destroy());
    socket.on('error', () => relay.destroy());
    relay.push(first);
    onTls(relay);
  });
}
