import { createHash } from 'node:crypto';
import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { FileTooLargeError, readBoundedFileSync } from './read-bounded-file.js';

/** A watch over config files; `update` swaps the set after a reload, `close` once. */
export interface FileWatch {
  update(files: readonly string[]): void;
  close(): void;
}

const POLL_MS = 5000;
const DEBOUNCE_MS = 250;

/** Larger than any config file the daemon accepts: such a file is told apart by size and mtime, unread. */
const MAX_DIGEST_BYTES = 8 * 1024 * 1024;

function digest(file: string): string {
  try {
    return createHash('sha256').update(readBoundedFileSync(file, MAX_DIGEST_BYTES)).digest('hex');
  } catch (err) {
    if (err instanceof FileTooLargeError) {
      const st = statSync(file, { throwIfNoEntry: false });
      return `large:${st?.size ?? '?'}:${st?.mtimeMs ?? '?'}`;
    }
    return `missing:${(err as NodeJS.ErrnoException).code ?? ''}`;
  }
}

/**
 * Calls `onChange` when the content of any file changes. Watches the directories, not the files:
 * Kubernetes updates a mounted ConfigMap by swapping a `..data` symlink, which a watch on the old
 * file never sees. Content digests decide, so touch and no-op swaps don't reload, and a slow poll
 * catches what inotify misses (network filesystems, overlay quirks).
 */
export function watchFiles(initial: readonly string[], onChange: () => void): FileWatch {
  let files = [...initial];
  let digests = new Map(files.map((f) => [f, digest(f)]));
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;

  const check = (): void => {
    timer = null;
    let changed = false;
    for (const f of files) {
      const d = digest(f);
      if (digests.get(f) !== d) {
        digests.set(f, d);
        changed = true;
      }
    }
    if (changed) onChange();
  };
  const soon = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
    timer.unref();
  };
  const arm = (): void => {
    for (const w of watchers) w.close();
    watchers = [];
    for (const dir of new Set(files.map((f) => dirname(f)))) {
      try {
        const w = watch(dir, { persistent: false }, soon);
        w.on('error', () => undefined);
        watchers.push(w);
      } catch {
        // directory gone or not watchable: the poll still sees it
      }
    }
  };
  arm();
  const poll = setInterval(check, POLL_MS);
  poll.unref();

  return {
    update(next) {
      files = [...next];
      digests = new Map(files.map((f) => [f, digests.get(f) ?? digest(f)]));
      arm();
    },
    close() {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
