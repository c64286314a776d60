#!/usr/bin/env node
import { runCli } from './cli.js';
import { processContext } from './context.js';

const exitCode = await runCli(process.argv.slice(2), processContext());
process.exitCode = exitCode;
// Connections some SDKs keep alive must not hold the terminal once the work is done.
setTimeout(() => process.exit(exitCode), 2000).unref();
