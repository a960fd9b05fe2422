// The cost of a TLS handshake on connect to a node's client port, against a plain TCP connect to
// the same port: `node scripts/tls-handshake.mjs CA_FILE PORT [COUNT]`. Sequential connections,
// each closed once established (TLS: once the handshake completed).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const [caFile, portText, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText ?? 200);
const ca = readFileSync(caFile, 'utf8');

async function time(open) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) => {
      const socket = open(() => {
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
  }
  return Number(process.hrtime.bigint() - started) / 1e6 / count;
}

const plainMs = await time((done) => net.connect(port, '127.0.0.1', done));
const tlsMs = await time((done) => tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', checkServerIdentity: () => undefined }, done));
console.log(`handshake on connect to the client port (${count} sequential): TCP ${plainMs.toFixed(2)} ms, TLS ${tlsMs.toFixed(2)} ms per connection`);
