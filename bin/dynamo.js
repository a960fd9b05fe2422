#!/usr/bin/env node
// The CLI entry: the TypeScript build (npm install runs it through `prepare`) lives in dist/.
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('dynamo: the build is missing; run `npm install` (or `npm run build`) first.');
    process.exit(1);
  }
  throw err;
});
