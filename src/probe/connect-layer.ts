import { connect as netConnect, type Socket } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { PROTOCOLS } from '../config/protocols.js';
import { errorCode } from './error-code.js';
import { fail, OBSERVED, type Layer, type LayerFailure } from './layer.js';
import type { ProbeRun } from './probe-run.js';
import { openTunnel } from './proxy-tunnel.js';
import { settle } from './settle.js';
import { connectTo, isUnixSocket, shownAddress } from './dial-address.js';

const ignore = (): void => {};

function dial(address: LookupAddress, port: number, signal: AbortSignal): Promise<Socket> {
  const socket = netConnect({ ...connectTo(address, port), ...(isUnixSocket(address) ? {} : { noDelay: true }) });
  // Errors after a layer stopped listening (a reset while another layer works) must not go unhandled.
  socket.on('error', ignore);
  return settle<Socket>(signal, (resolve, reject) => {
    const onConnect = (): void => resolve(socket);
    const onError = (err: Error): void => reject(err);
    socket.once('connect', onConnect);
    socket.once('error', onError);
    return () => {
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
    };
  }).catch((err: unknown) => {
    socket.destroy();
    throw err;
  });
}

/**
 * Opens a fresh TCP connection: to each address in turn until one answers (the first error is the
 * one reported, as Go's dialer does), or to the proxy, then through it with CONNECT. Plaintext HTTP
 * through a proxy needs no tunnel: the request goes to the proxy in absolute form.
 */
export const connectLayer: Layer = {
  name: 'connect',
  phase: 'connect_seconds',
  waitsFor: 'the TCP connection',
  skip: () => false,
  async run(run) {
    const { proxy } = run;
    const port = proxy ? proxy.port : run.prep.endpoint.port;
    const layer = proxy ? 'proxy' : 'connect';
    let first: LayerFailure | undefined;
    const tried: string[] = [];
    for (const address of run.addresses) {
      const where = shownAddress(address, port);
      tried.push(where);
      try {
        run.socket = await dial(address, port, run.signal);
        run.connected = address;
        run.facts[proxy ? 'proxy_address' : 'address'] = where;
        first = undefined;
        break;
      } catch (err) {
        const code = errorCode(err);
        first ??= fail(layer, code, { [proxy ? 'proxy_address' : 'address']: where }, err);
        if (code === 'TIMEOUT') break;
      }
    }
    if (first) {
      if (tried.length > 1) {
        return fail(first.layer, first.code, { ...first.facts, detail: `tried ${tried.join(', ')}` }, first.cause);
      }
      return first;
    }
    if (proxy && needsTunnel(run)) return tunnel(run);
    return undefined;
  },
};

const needsTunnel = (run: ProbeRun): boolean => PROTOCOLS[run.prep.spec.protocol].proxyAlwaysTunnels || run.prep.endpoint.tls;

async function tunnel(run: ProbeRun): Promise<LayerFailure | undefined> {
  const socket = run.socket!;
  try {
    const answer = await openTunnel(socket, run.proxy!, run.prep.endpoint.authority, run.signal);
    if (answer.ok) return undefined;
    if (answer.status === 0) return fail('proxy', OBSERVED.closed, { detail: `the proxy ${answer.statusText === 'closed' ? 'closed the connection without answering' : 'did not answer HTTP'} to CONNECT` });
    return fail('proxy', OBSERVED.proxyStatus, { status: answer.status, status_text: answer.statusText });
  } catch (err) {
    const code = errorCode(err);
    return fail('proxy', code, code === 'TIMEOUT' ? { detail: 'no answer to CONNECT in time' } : {}, err);
  }
}
