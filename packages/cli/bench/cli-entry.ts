// The CLI from sources, for bench:scale's child processes (no build needed): what bin/taxonomist.js runs from dist.
import { runCli } from '../src/main.js';

await runCli();
