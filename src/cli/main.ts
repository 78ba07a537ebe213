/**
 * The `chartroom` executable's full CLI (bin/chartroom.js runs it unless a bundle answers first).
 */
import { runCli } from './program.js';
import { runAsProcess } from './process-run.js';

await runAsProcess((args, io) => runCli(args, io));
