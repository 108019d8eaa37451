import t from 'tap';
import { expandEnv, expandText, ExpansionError } from '../../src/config/expand-env.js';

const env = { TOKEN: 's3cr3t-TOKEN-4242', HOST: 'tempo', PORT: '4317', EMPTY: '', NESTED: '${env:HOST}', DOLLARS: 'a$$b', REF: 'HOST' };

t.test('expands as the collector does', (t) => {
  const cases: [string, string][] = [
    ['${env:HOST}', 'tempo'],
    ['${HOST}', 'tempo'],
    ['${env:HOST}:${env:PORT}', 'tempo:4317'],
    ['Bearer ${env:TOKEN}', 'Bearer s3cr3t-TOKEN-4242'],
    ['${env:MISSING}', ''],
    ['x${MISSING}y', 'xy'],
    ['${env:MISSING:-fallback}', 'fallback'],
    ['${env:MISSING:-}', ''],
    ['${env:MISSING:-a:b}', 'a:b'],
    ['${env:EMPTY:-fallback}', '', ], // the default applies only when unset
    ['${env:HOST:-other}', 'tempo'],
    ['$$', '$'],
    ['price: $$5', 'price: $5'],
    ['$${env:HOST}', '${env:HOST}'],
    ['$$${env:HOST}', '$tempo'],
    ['$HOST', '$HOST'],
    ['$HOST and ${HOST}', '$HOST and tempo'],
    ['${env:NESTED}', 'tempo'], // values are expanded again
    ['${env:DOLLARS}', 'a$b'], // $$ in a value is unescaped too
    ['{not a ref}', '{not a ref}'],
    ['${', '${'],
    ['}${env:HOST}', '}tempo'],
    ['${env:${env:REF}}', 'tempo'], // inner reference first
    // An escaped reference stops the expansion of the rest of the value, as in the collector.
    ['$${env:HOST}-${env:PORT}', '${env:HOST}-${env:PORT}'],
    ['${env:HOST} $${env:HOST}', 'tempo $tempo'], // every occurrence of a reference is replaced
  ];
  for (const [input, want] of cases) t.equal(expandText(input, env), want, input);
  t.end();
});

t.test('other schemes are left in place and reported', (t) => {
  const r = expandEnv({ a: '${file:/etc/token}', b: 'x ${file:/t} ${env:HOST}' }, env);
  t.same(r.value, { a: '${file:/etc/token}', b: 'x ${file:/t} tempo' });
  t.same(r.unsupported.map((u) => [u.path, u.reference]), [
    [['a'], '${file:/etc/token}'],
    [['b'], '${file:/t}'],
  ]);
  t.end();
});

t.test('references the collector rejects are errors with their path', (t) => {
  t.throws(() => expandEnv({ exporters: { otlp: { endpoint: '${env:BAD-NAME}' } } }, env), {
    name: 'ExpansionError',
    path: ['exporters', 'otlp', 'endpoint'],
    message: /environment variable "BAD-NAME" has an invalid name/,
  });
  t.throws(() => expandText('${env:A$B}', env), ExpansionError);
  t.throws(() => expandText('${:x}', env), { message: /invalid reference "\$\{:x\}"/ });
  const loop = { LOOP: '${env:LOOP}' };
  t.throws(() => expandText('${env:LOOP}', loop), { message: 'too many recursive expansions' });
  t.end();
});

t.test('walks values, not keys, and records references', (t) => {
  const tree = {
    '${env:HOST}': 'key stays',
    list: ['${env:PORT}', 7, true, null, { h: 'Bearer ${env:UNSET}' }],
    d: '${env:GONE:-x}',
  };
  const r = expandEnv(tree, env);
  t.same(r.value, { '${env:HOST}': 'key stays', list: ['4317', 7, true, null, { h: 'Bearer ' }], d: 'x' });
  t.same(r.references, [
    { path: ['list', 0], variable: 'PORT', set: true, defaulted: false },
    { path: ['list', 4, 'h'], variable: 'UNSET', set: false, defaulted: false },
    { path: ['d'], variable: 'GONE', set: false, defaulted: true },
  ]);
  t.end();
});
