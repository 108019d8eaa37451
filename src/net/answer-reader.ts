import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** What a server answered to one request. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** the body, at most the reader's limit */
  readonly body: Buffer;
  /** false when the body was longer than the limit (or declared so) and the rest was not read */
  readonly complete: boolean;
}

/** Given to undici when the reader stops reading: nothing waits on the request any more. */
const ENOUGH = new Error('enough of the answer was read');

/**
 * Reads the answer to one request sent with undici's `dispatch(options, reader)`, without a body
 * stream: the status, the headers and the body up to `limit` bytes. `done` resolves once the body
 * has ended or the limit is reached, and rejects with undici's error or with the reason passed to
 * `abort()`. With `whole`, an answer whose Content-Length is over the limit is not read at all.
 * Lifecycle: one reader per request; the caller closes the connection afterwards.
 */
export class AnswerReader implements Dispatcher.DispatchHandler {
  readonly done: Promise<Answer>;
  /** the reason given to abort(), once it was called */
  reason: Error | null = null;
  #resolve!: (a: Answer) => void;
  #reject!: (err: Error) => void;
  #controller: Dispatcher.DispatchController | null = null;
  #settled = false;
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(
    private readonly limit: number,
    private readonly whole = false,
  ) {
    this.done = new Promise<Answer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Ends the request: `done` rejects with `reason` unless the answer was already read. */
  abort(reason: Error): void {
    if (this.#settled || this.reason) return;
    this.reason = reason;
    if (this.#controller) this.#controller.abort(reason);
    else this.#finish(false, reason);
  }

  /**
   * Aborts the request with `signal`'s reason when it fires, at once if it already has. Returns
   * what stops following it, for when the request is over.
   */
  follow(signal: AbortSignal): () => void {
    const onAbort = (): void => this.abort(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.reason) controller.abort(this.reason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: the answer is still to come
    this.#status = statusCode;
    this.#headers = headers;
    if (this.whole && Number(headers['content-length']) > this.limit) this.#stop(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#size > this.limit) this.#stop(controller);
  }

  onResponseEnd(): void {
    this.#finish(true);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#finish(false, this.reason ?? err);
  }

  #stop(controller: Dispatcher.DispatchController): void {
    this.#finish(false);
    controller.abort(ENOUGH);
  }

  #finish(complete: boolean, err?: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    if (err) {
      this.#reject(err);
      return;
    }
    const body = Buffer.concat(this.#chunks, this.#size);
    this.#chunks = [];
    this.#resolve({ status: this.#status, headers: this.#headers, body: complete ? body : body.subarray(0, this.limit), complete });
  }
}
