#!/usr/bin/env node
import { run } from './program.js';

// exitCode rather than process.exit(): let stdout drain (it may be a pipe) before the process ends.
// Every command closes what it opened, so nothing keeps the event loop alive afterwards.
process.exitCode = await run(process.argv.slice(2));
