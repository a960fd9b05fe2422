/**
 * The layers of src/, enforced: arrows point one way only (outer folders import inner ones, never
 * back), and no module takes part in an import cycle. `npm run lint` runs this after eslint.
 *
 *   core  <-  protocol  <-  node  <-  runtime  <-  api  <-  cli
 *   core  <-  storage, transport (transport also uses protocol's framing)
 *   core, protocol  <-  security (certificates, TLS files, users' passwords and roles), backup (the dump format)
 *   core, protocol, transport, security  <-  client;   core  <-  check  <-  sim, nemesis, bench
 *
 * Test files and testing/ helpers may import across layers (a test of the node may build a
 * simulator), but production code may not import them.
 */
const layer = (name, allowed) => ({
  name: `layer-${name}`,
  comment: `src/${name} may import only ${allowed.length === 0 ? 'itself' : allowed.join(', ')} of ours`,
  severity: 'error',
  from: { path: `^src/${name}/`, pathNot: '\\.test\\.ts$|/testing/' },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}/`)] },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'import cycles make the layers meaningless', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'no-testing-in-production',
      comment: 'testing/ helpers and tests stay out of production code (and out of dist)',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$|/testing/' },
      to: { path: '\\.test\\.ts$|/testing/' },
    },
    layer('core', []),
    layer('protocol', ['core']),
    layer('node', ['core', 'protocol']),
    layer('storage', ['core']),
    layer('transport', ['core', 'protocol']),
    layer('check', ['core', 'protocol']),
    layer('security', ['core', 'protocol']),
    layer('backup', ['core', 'protocol']),
    layer('client', ['core', 'protocol', 'transport', 'security']),
    layer('runtime', ['core', 'protocol', 'node', 'storage', 'transport']),
    layer('api', ['core', 'protocol', 'node', 'storage', 'transport', 'runtime', 'security', 'backup']),
    layer('sim', ['core', 'protocol', 'node', 'storage', 'transport', 'check']),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
