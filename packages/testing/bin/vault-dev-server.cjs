#!/usr/bin/env node
// The compiled CLI lives in dist/, which exists only after `pnpm build`.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS bin shim
require('../dist/cli.cjs');
