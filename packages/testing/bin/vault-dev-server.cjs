#!/usr/bin/env node
// The compiled CLI lives in dist/, which exists only after `pnpm build`.
require('../dist/cli.cjs');
