import { fail, type Layer } from './layer.js';

/**
 * Fetches (or reuses) the exporter's OAuth2 token before anything else, as the collector's
 * oauth2client round tripper does before it dials: the export then carries `Authorization: <type>
 * <token>`. A token that cannot be had fails here; the collector cannot export without it either.
 */
export const tokenLayer: Layer = {
  name: 'auth',
  phase: null,
  waitsFor: 'the token request',
  skip: (run) => run.ctx.mode === 'handshake' || run.tokens === null,
  async run(run) {
    const got = await run.tokens!.get(run.signal);
    if (!got.ok) return fail('auth', got.code, got.facts);
    run.authHeaders = { authorization: got.header };
    run.authSecrets.push(got.token, got.header);
    const id = run.prep.spec.dynamicAuth?.id ?? 'oauth2client';
    const sent = run.prep.baseFacts.sent_headers;
    run.facts.sent_headers = `${typeof sent === 'string' && sent !== '' ? `${sent}, ` : ''}authorization (token from ${id})`;
    return undefined;
  },
};
