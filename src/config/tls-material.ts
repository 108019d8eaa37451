import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { contentMemo } from './content-memo.js';
import type { TlsSettings } from './exporter-spec.js';
import { FILE_LIMITS, FileTooLargeError, readBoundedTextSync } from './read-bounded-file.js';

/** An exporter's TLS files, read and parsed once per config load (not per probe). */
export interface TlsMaterial {
  /** PEM text of the trusted CAs; undefined: the system's roots */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** the client certificate chain, parsed (first is the leaf) */
  readonly clientChain: readonly X509Certificate[];
}

export type TlsMaterialResult =
  | { readonly ok: true; readonly material: TlsMaterial }
  | { readonly ok: false; readonly key: string; readonly detail: string };

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function parseChain(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

type Source = { key: string; text: string } | { key: string; error: string } | null;

function read(fileKey: string, file: string | undefined, pemKey: string, pem: string | undefined): Source {
  if (pem) return { key: pemKey, text: pem };
  if (!file) return null;
  try {
    return { key: fileKey, text: readBoundedTextSync(file, FILE_LIMITS.tls) };
  } catch (err) {
    if (err instanceof FileTooLargeError) return { key: fileKey, error: `"${file}" ${err.detail}` };
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { key: fileKey, error: `cannot read "${file}" (${code})` };
  }
}

const errorOf = (err: unknown): string => {
  const e = err as { code?: string; message?: string };
  // OpenSSL messages name the failing step, never the key bytes.
  return e.code ? `${e.code}` : String(e.message ?? err).split('\n')[0] ?? 'unparsable';
};

/**
 * Reads and checks `ca_file`/`ca_pem`, `cert_file`/`cert_pem`, `key_file`/`key_pem`: readable, PEM
 * that parses, a key that matches the certificate. Error details name the key and file, never the
 * key material. The files are read on every call; what they hold is parsed once while any exporter
 * still uses it (many exporters trust the same CA file).
 */
export function loadTlsMaterial(tls: TlsSettings): TlsMaterialResult {
  const ca = read('tls.ca_file', tls.caFile, 'tls.ca_pem', tls.caPem);
  const cert = read('tls.cert_file', tls.certFile, 'tls.cert_pem', tls.certPem);
  const key = read('tls.key_file', tls.keyFile, 'tls.key_pem', tls.keyPem);
  for (const s of [ca, cert, key]) if (s && 'error' in s) return { ok: false, key: s.key, detail: s.error };
  const parts = [ca, cert, key].map((s) => (s && 'text' in s ? `${s.key}\n${s.text}` : undefined));
  return parsed(parts, () => parse(ca, cert, key));
}

const parsed = contentMemo<TlsMaterialResult>();

function parse(ca: Source, cert: Source, key: Source): TlsMaterialResult {
  if (ca && 'text' in ca) {
    try {
      if (parseChain(ca.text).length === 0) return { ok: false, key: ca.key, detail: 'no PEM certificate found' };
    } catch (err) {
      return { ok: false, key: ca.key, detail: `not a valid certificate (${errorOf(err)})` };
    }
  }
  if ((cert === null) !== (key === null)) {
    const missing = cert === null ? 'tls.cert_file' : 'tls.key_file';
    return { ok: false, key: missing, detail: 'a client certificate needs both cert_file and key_file' };
  }
  let clientChain: X509Certificate[] = [];
  if (cert && 'text' in cert && key && 'text' in key) {
    try {
      clientChain = parseChain(cert.text);
      if (clientChain.length === 0) return { ok: false, key: cert.key, detail: 'no PEM certificate found' };
    } catch (err) {
      return { ok: false, key: cert.key, detail: `not a valid certificate (${errorOf(err)})` };
    }
    let pk: KeyObject;
    try {
      pk = createPrivateKey(key.text);
    } catch (err) {
      return { ok: false, key: key.key, detail: `not a valid private key (${errorOf(err)})` };
    }
    if (!clientChain[0]!.checkPrivateKey(pk)) {
      return { ok: false, key: key.key, detail: 'the private key does not match the client certificate' };
    }
  }
  const text = (s: Source): string | undefined => (s && 'text' in s ? s.text : undefined);
  return { ok: true, material: { ca: text(ca), cert: text(cert), key: text(key), clientChain } };
}
