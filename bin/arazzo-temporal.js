#!/usr/bin/env node
// The arazzo-temporal command. TypeScript sources run through tsx, so no build step is needed.
require('tsx/cjs');
require('../src/cli.ts')
  .main(process.argv)
  .then((code) => process.exit(code));
