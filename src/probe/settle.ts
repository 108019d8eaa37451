import { DeadlineReached } from './error-code.js';

/**
 * A promise bound to the probe's deadline: `setup` wires listeners and returns their cleanup, which
 * runs exactly once, whether the promise settles or the deadline fires first (then it rejects with
 * DeadlineReached). Keeps every wait in the layers leak-free and abortable.
 */
export function settle<T>(
  signal: AbortSignal,
  setup: (resolve: (v: T) => void, reject: (e: unknown) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(new DeadlineReached());
      return;
    }
    let done = false;
    let cleanup: (() => void) | undefined;
    const finish = (): void => {
      done = true;
      signal.removeEventListener('abort', onAbort);
      if (cleanup) cleanup();
    };
    const onAbort = (): void => {
      if (done) return;
      finish();
      reject(new DeadlineReached());
    };
    signal.addEventListener('abort', onAbort);
    cleanup = setup(
      (v) => {
        if (done) return;
        finish();
        resolve(v);
      },
      (e) => {
        if (done) return;
        finish();
        reject(e);
      },
    );
    if (done) cleanup();
  });
}
