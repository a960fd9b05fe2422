import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, createNodeCert } from './certs.js';
import { signedBy, summarize } from './cert-info.js';
import { CERT_FILES, loadTlsMaterial } from './tls-files.js';

describe('certificates', () => {
  it('a node certificate names the node id as CN, its hosts as SANs, and is signed by the CA', async () => {
    const ca = await createCa();
    const node = await createNodeCert(ca, 'n2', ['127.0.0.1', '::1', 'node2.example']);
    assert.equal(summarize(ca.certPem).isCa, true);
    const info = summarize(node.certPem);
    assert.equal(info.commonName, 'n2');
    assert.equal(info.isCa, false);
    assert.deepEqual(info.dnsNames, ['node2.example']);
    assert.deepEqual([...info.ipAddresses].sort(), ['0:0:0:0:0:0:0:1', '127.0.0.1'].sort());
    assert.equal(signedBy(node.certPem, ca.certPem), true);
    const other = await createCa();
    assert.equal(signedBy(node.certPem, other.certPem), false);
  });

  it('loadTlsMaterial refuses a certificate of another id or another CA, naming the file', async () => {
    const ca = await createCa();
    const other = await createCa();
    const dir = mkdtempSync(join(tmpdir(), 'dynamo-certs-'));
    const pair = await createNodeCert(ca, 'n1', ['127.0.0.1']);
    writeFileSync(join(dir, CERT_FILES.caCert), ca.certPem);
    writeFileSync(join(dir, CERT_FILES.nodeCert), pair.certPem);
    writeFileSync(join(dir, CERT_FILES.nodeKey), pair.keyPem);
    assert.equal(loadTlsMaterial(dir, 'n1').ok, true);
    const wrongId = loadTlsMaterial(dir, 'n3');
    assert.ok(!wrongId.ok && /names node "n1", not --id n3/.test(wrongId.error));
    writeFileSync(join(dir, CERT_FILES.caCert), other.certPem + ca.certPem);
    assert.equal(loadTlsMaterial(dir, 'n1').ok, true, 'a bundle of CAs (rotation) is accepted');
    writeFileSync(join(dir, CERT_FILES.caCert), other.certPem);
    const wrongCa = loadTlsMaterial(dir, 'n1');
    assert.ok(!wrongCa.ok && /not signed by the CA/.test(wrongCa.error));
    const missing = loadTlsMaterial(join(dir, 'nope'), 'n1');
    assert.ok(!missing.ok && /dynamo cert/.test(missing.error));
  });
});
