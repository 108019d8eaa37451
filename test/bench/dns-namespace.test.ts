/**
 * The chaos run's DNS namespace (bench/chaos.ts `enterDnsNamespace`), in a child process made with
 * `unshare` (network and mount namespaces of its own, in a user namespace when not root): with the
 * DNS stub on 127.0.0.1:53 there, the system resolver (node's dns.lookup, through glibc, as the
 * daemon asks it) returns whatever the stub answers, and the machine's own /etc/resolv.conf is
 * left alone. Needs `npm run build` (pretest runs it).
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NAMESPACE_ENV, namespaceIds, unshareFlags } from '../../bench/chaos.js';

const dist = (rel: string): string => fileURLToPath(new URL(`../../dist/${rel}`, import.meta.url));

const CHILD = `
import { promises as dns } from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { enterDnsNamespace, CHAOS_DNS_NAME } = await import(process.argv[1]);
const { startDnsAnswerStub } = await import(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'chaos-dns-'));
enterDnsNamespace(dir);
const stub = await startDnsAnswerStub({ name: CHAOS_DNS_NAME, answer: { address: '127.0.0.1' }, host: '127.0.0.1', port: 53 });
const seen = [];
const look = async () => {
  try {
    seen.push((await dns.lookup(CHAOS_DNS_NAME, { all: true })).map((a) => a.address).join(','));
  } catch (err) {
    seen.push(err.code);
  }
};
await look();
stub.set({ address: '127.0.0.2' });
await look();
stub.set({ rcode: 3 });
await look();
stub.set({ rcode: 2 });
await look();
stub.set({ address: '127.0.0.1' });
await look();
console.log(JSON.stringify({ seen, resolv: readFileSync('/etc/resolv.conf', 'utf8'), queries: stub.queries() }));
await stub.close();
rmSync(dir, { recursive: true, force: true });
`;

t.test('in a namespace of its own, the system resolver gets the DNS stub answers', async (t) => {
  const flags = unshareFlags();
  if (!t.ok(flags, 'unshare gives network and mount namespaces (as root, or in a user namespace)') || !flags) return;
  const before = readFileSync('/etc/resolv.conf', 'utf8');
  const r = spawnSync('unshare', [...flags, '--', process.execPath, '--input-type=module', '-e', CHILD, dist('bench/chaos.js'), dist('test/helpers/dns-answer-stub.js')], {
    env: { ...process.env, [NAMESPACE_ENV]: namespaceIds() },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 0, `the child ran (${r.stderr.trim().slice(-400)})`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { seen?: string[]; resolv?: string; queries?: number };
  t.same(out.seen, ['127.0.0.1', '127.0.0.2', 'ENOTFOUND', 'EAI_AGAIN', '127.0.0.1'], 'an address, another, NXDOMAIN, SERVFAIL, back');
  t.equal(out.resolv, 'nameserver 127.0.0.1\n', 'inside, /etc/resolv.conf names only the stub');
  t.ok((out.queries ?? 0) >= 5, `the stub was asked (${out.queries} queries)`);
  t.equal(readFileSync('/etc/resolv.conf', 'utf8'), before, "the machine's own /etc/resolv.conf is untouched");
});
