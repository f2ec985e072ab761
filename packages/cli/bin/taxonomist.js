#!/usr/bin/env node
// The `taxonomist` command. Kept tiny on purpose: the compiled CLI lives in ../dist (built by `npm run build`).
import { runCli } from '../dist/main.js';

await runCli();
