/**
 * A connection flood in a process of its own, as an attacker would run it: the server under test
 * keeps its event loop to itself. Started with the FloodOptions as JSON in argv[2]; prints one
 * JSON line of FloodStats when the flood is open and one more for every line read on stdin; stops
 * the flood and exits when stdin ends.
 *
 *   node dist/bench/flood-process.js '{"host":"127.0.0.1","port":13134,"connections":1000,...}'
 */
import { createInterface } from 'node:readline';
import { floodConnections, type FloodOptions } from './connection-flood.js';

export interface FloodStats {
  readonly open: number;
  readonly connects: number;
  readonly closedByServer: number;
  readonly peakOpen: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as FloodOptions;
const flood = await floodConnections(options);
const report = (): void => {
  const stats: FloodStats = { open: flood.open(), connects: flood.connects(), closedByServer: flood.closedByServer(), peakOpen: flood.peakOpen() };
  process.stdout.write(`${JSON.stringify(stats)}\n`);
};
report();
const lines = createInterface({ input: process.stdin });
lines.on('line', report);
lines.on('close', () => {
  void flood.stop().then(() => process.exit(0));
});
