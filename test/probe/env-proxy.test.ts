import t from 'tap';
import { envProxy } from '../../src/probe/env-proxy.js';
import { parseProxyUrl } from '../../src/probe/proxy-target.js';

const via = (env: Record<string, string>, scheme: 'http' | 'https', host: string, port: number): string | null =>
  envProxy(env).proxyFor(scheme, host, port)?.display ?? null;

t.test('https targets use HTTPS_PROXY, http targets HTTP_PROXY; upper case wins', (t) => {
  const env = { HTTPS_PROXY: 'http://s.proxy:3128', https_proxy: 'http://lower:1', HTTP_PROXY: 'plain.proxy:8080' };
  t.equal(via(env, 'https', 'tempo', 443), 'http://s.proxy:3128');
  t.equal(via(env, 'http', 'tempo', 80), 'http://plain.proxy:8080', 'a value without scheme is http://');
  t.equal(via({ https_proxy: 'http://lower:1' }, 'https', 'tempo', 443), 'http://lower:1', 'lower case is read too');
  t.equal(via({ HTTP_PROXY: 'http://p:1' }, 'https', 'tempo', 443), null, 'no fallback from https to HTTP_PROXY');
  t.equal(via({ HTTPS_PROXY: 'http://p' }, 'https', 'tempo', 443), 'http://p:80', 'default port 80');
  t.end();
});

t.test('localhost and loopback IPs never go through a proxy from the environment', (t) => {
  const env = { HTTPS_PROXY: 'http://p:1' };
  for (const host of ['localhost', '127.0.0.1', '127.9.9.9', '::1']) t.equal(via(env, 'https', host, 4317), null, host);
  t.equal(via(env, 'https', '10.0.0.1', 4317), 'http://p:1');
  t.end();
});

t.test('NO_PROXY rules as Go reads them', (t) => {
  const cases: [string, string, number, boolean][] = [
    // [NO_PROXY, host, port, direct?]
    ['*', 'anything.example', 443, true],
    ['example.com', 'example.com', 443, true],
    ['example.com', 'api.example.com', 443, true],
    ['example.com', 'notexample.com', 443, false],
    ['.example.com', 'example.com', 443, false],
    ['.example.com', 'api.example.com', 443, true],
    ['*.example.com', 'api.example.com', 443, true],
    ['*.example.com', 'example.com', 443, false],
    ['example.com:4317', 'example.com', 4317, true],
    ['example.com:4317', 'example.com', 443, false],
    ['10.0.0.0/8', '10.1.2.3', 443, true],
    ['10.0.0.0/8', '11.1.2.3', 443, false],
    ['10.1.2.3', '10.1.2.3', 443, true],
    ['10.1.2.3:4317', '10.1.2.3', 443, false],
    ['[2001:db8::1]:4317', '2001:db8::1', 4317, true],
    ['2001:db8::/32', '2001:db8::5', 443, true],
    [' Example.COM , other', 'api.example.com', 443, true],
    ['tempo', 'tempo', 4317, true],
    ['tempo', 'tempo.monitoring', 4317, false],
  ];
  for (const [noProxy, host, port, direct] of cases) {
    const got = via({ HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy }, 'https', host, port);
    t.equal(got === null, direct, `NO_PROXY=${JSON.stringify(noProxy)} ${host}:${port} -> ${direct ? 'direct' : 'proxy'}`);
  }
  t.equal(via({ HTTPS_PROXY: 'http://p:1', no_proxy: 'tempo' }, 'https', 'tempo', 1), null, 'no_proxy in lower case');
  t.end();
});

t.test('proxy URLs keep credentials out of what is shown', (t) => {
  const p = parseProxyUrl('http://al%40ice:s3cr%2Ft@proxy.corp:3128', 'HTTPS_PROXY')!;
  t.equal(p.display, 'http://proxy.corp:3128');
  t.equal(p.authorization, `Basic ${Buffer.from('al@ice:s3cr/t').toString('base64')}`);
  t.ok(p.secrets.includes('s3cr/t'));
  t.equal(parseProxyUrl('', 'HTTPS_PROXY'), null);
  t.equal(parseProxyUrl('socks5://s:1080', 'HTTPS_PROXY')?.scheme, 'socks5');
  t.end();
});
