import t from 'tap';
import { errorCode, normaliseCode } from '../../src/probe/error-code.js';

t.test('OpenSSL 3.2+ alert names read like the older ones', async (t) => {
  t.equal(normaliseCode('ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE'), 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
  t.equal(normaliseCode('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'), 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE');
  t.equal(normaliseCode('ECONNREFUSED'), 'ECONNREFUSED');
});

t.test('codes come from the error, its cause, or the first of an AggregateError', async (t) => {
  const withCode = (code: string, cause?: unknown) => Object.assign(new Error('x', { cause }), { code });
  t.equal(errorCode(withCode('ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE')), 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE');
  t.equal(errorCode(withCode('UND_ERR_SOCKET', withCode('ECONNRESET'))), 'ECONNRESET', 'the cause under undici');
  t.equal(errorCode(new AggregateError([withCode('ECONNREFUSED'), withCode('EHOSTUNREACH')])), 'ECONNREFUSED');
  t.equal(errorCode(new Error('no code')), 'ERROR');
});
