#!/usr/bin/env node
// Makes sure the programs the tests run for real are on this machine: Debian's prometheus (with
// promtool), prometheus-alertmanager and chromium. Installs them with apt-get when it can (root);
// otherwise stops with the command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, rmSync } from 'node:fs';

const needed = [
  { bin: 'promtool', pkg: 'prometheus' },
  { bin: 'prometheus', pkg: 'prometheus' },
  { bin: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
  { bin: 'chromium', pkg: 'chromium' },
];
const onPath = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(needed.filter((n) => !onPath(n.bin)).map((n) => n.pkg))];
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
const canInstall = process.getuid?.() === 0 && onPath('apt-get');
if (!canInstall) {
  console.error(`otel-sentinel tests need: ${missing.join(', ')}.\nInstall them with:\n  sudo sh -c '${command}'`);
  process.exit(1);
}
console.error(`installing ${missing.join(', ')} for the tests (apt-get)...`);
// Debian's packages would start their services at install time; the tests start their own.
const policy = '/usr/sbin/policy-rc.d';
const ownPolicy = !existsSync(policy);
if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
try {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
} catch (err) {
  console.error(`installing failed (${err.message}); run:\n  ${command}`);
  process.exit(1);
} finally {
  if (ownPolicy) rmSync(policy, { force: true });
}
