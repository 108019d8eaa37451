/**
 * The changeable DNS stub of the chaos run (test/helpers/dns-answer-stub.ts), asked by a real
 * resolver on loopback: what it is set to is what the resolver gets, answer after answer.
 */
import t from 'tap';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RCODE } from '../helpers/dns-stub.js';
import { parseQuestion, reply, startDnsAnswerStub } from '../helpers/dns-answer-stub.js';

t.test('the name resolves to what the stub is set to, changed while it runs', async (t) => {
  const stub = await startDnsAnswerStub({ name: 'Backend.Chaos.Test.', answer: { address: '127.0.0.1' } });
  t.teardown(() => stub.close());
  const r = new Resolver({ timeout: 2_000, tries: 1 });
  r.setServers([`127.0.0.1:${stub.port}`]);
  t.same(await r.resolve4('backend.chaos.test'), ['127.0.0.1'], 'its first address');
  stub.set({ address: '127.0.0.2' });
  t.same(await r.resolve4('BACKEND.chaos.test'), ['127.0.0.2'], 'a new address, without any cache in between');
  await t.rejects(r.resolve6('backend.chaos.test'), { code: 'ENODATA' }, 'no IPv6 address: no data, not no name');
  await t.rejects(r.resolve4('other.chaos.test'), { code: 'ENOTFOUND' }, 'every other name does not exist');
  stub.set({ rcode: RCODE.NXDOMAIN });
  await t.rejects(r.resolve4('backend.chaos.test'), { code: 'ENOTFOUND' }, 'NXDOMAIN');
  stub.set({ rcode: RCODE.SERVFAIL });
  await t.rejects(r.resolve4('backend.chaos.test'), { code: 'ESERVFAIL' }, 'SERVFAIL');
  stub.set({ address: '127.0.0.1' });
  t.same(await r.resolve4('backend.chaos.test'), ['127.0.0.1'], 'and back');
  t.ok(stub.queries() >= 7, `every query answered (${stub.queries()})`);
  t.throws(() => stub.set({ address: 'backend' }), /not an IPv4 address: backend/);
});

t.test('malformed queries get no answer', async (t) => {
  t.equal(parseQuestion(Buffer.alloc(5)), null, 'shorter than a header');
  const header = Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  t.equal(parseQuestion(Buffer.concat([header, Buffer.from([64, 0])])), null, 'a label longer than 63 bytes');
  t.equal(parseQuestion(Buffer.concat([header, Buffer.from([5, 0x61])])), null, 'a label cut short');
  t.equal(parseQuestion(Buffer.concat([header, Buffer.from([1, 0x61, 0, 0])])), null, 'no room for type and class');
  const q = Buffer.concat([header, Buffer.from([1, 0x61, 0, 0, 1, 0, 1])]);
  t.same(parseQuestion(q), { name: 'a', type: 1, end: q.length });
  const a = reply(q, q.length, 0, '127.0.0.9');
  t.equal(a.readUInt16BE(6), 1, 'one answer');
  t.same([...a.subarray(-4)], [127, 0, 0, 9]);
  t.equal(reply(q, q.length, RCODE.SERVFAIL, null)[3]! & 0x0f, RCODE.SERVFAIL);
});

t.test('the chaos run touches /etc/resolv.conf only in namespaces of its own', async (t) => {
  const { enterDnsNamespace, namespaceIds, NAMESPACE_ENV } = await import('../../bench/chaos.js');
  const resolvBefore = readFileSync('/etc/resolv.conf', 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'chaos-ns-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.match(namespaceIds(), /^net:\[\d+\]\|mnt:\[\d+\]$/);
  const saved = process.env[NAMESPACE_ENV];
  t.teardown(() => {
    if (saved === undefined) delete process.env[NAMESPACE_ENV];
    else process.env[NAMESPACE_ENV] = saved;
  });
  delete process.env[NAMESPACE_ENV];
  t.throws(() => enterDnsNamespace(dir), /not in network and mount namespaces of its own .*the parent's: unknown.*unshare --net --mount/, 'no parent said where it ran');
  process.env[NAMESPACE_ENV] = namespaceIds();
  t.throws(() => enterDnsNamespace(dir), /not in network and mount namespaces of its own/, "the parent's namespaces are this process's");
  t.equal(readFileSync('/etc/resolv.conf', 'utf8'), resolvBefore, '/etc/resolv.conf untouched');
  t.same(readdirSync(dir), [], 'no resolv.conf written');
});
