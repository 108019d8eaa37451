import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchCerts } from './bench-certs.js';
import type { FlipTarget, FromTargets, TargetPorts, TargetsConfig } from './target-protocol.js';

/** The targets child process. Lifecycle: `startTargets()`, flip at will, `stop()` once. */
export interface Targets {
  readonly pid: number;
  readonly ports: TargetPorts;
  /** flips a detection target; resolves at performance.now() once the change is in effect */
  flip(target: FlipTarget, failing: boolean): Promise<number>;
  stop(): Promise<void>;
}

export async function startTargets(certs: BenchCerts): Promise<Targets> {
  const cfg: TargetsConfig = {
    certFile: certs.certFile,
    keyFile: certs.keyFile,
    expiredCertFile: certs.expiredCertFile,
    expiredKeyFile: certs.expiredKeyFile,
  };
  const child: ChildProcess = fork(fileURLToPath(new URL('./targets.js', import.meta.url)), [JSON.stringify(cfg)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (t: number) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ports = await new Promise<TargetPorts>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the targets process exited (${code}) before it was ready`)));
    child.on('message', (m: FromTargets) => {
      if ('ready' in m) return resolve(m.ports);
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(performance.now());
      else p.reject(new Error(`flip failed: ${m.error ?? 'unknown'}`));
    });
  });
  return {
    pid: child.pid!,
    ports,
    flip(target, failing) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, target, failing });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.disconnect();
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
