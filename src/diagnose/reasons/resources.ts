import type { Facts, ReasonSpec } from '../reason-spec.js';

/** Reasons of the `resources` cause (docs/reasons.md): the collector process itself. */

const mib = (v: unknown): string => (typeof v === 'number' ? `${(v / 1024 / 1024).toFixed(1)} MiB` : 'unknown');
const pct = (v: unknown): string => (typeof v === 'number' ? `${Math.round(v * 100)}%` : 'unknown');
const str = (v: unknown, dflt = ''): string => (v === undefined || v === null ? dflt : String(v));

const fdFix = (f: Facts): string =>
  `Raise the collector's open-files limit (RLIMIT_NOFILE, now ${str(f['max'], '?')}): in a shell, \`ulimit -n 65536\` before starting it; ` +
  'under systemd, `LimitNOFILE=65536` in the unit\'s [Service] section, then `systemctl daemon-reload` and restart; ' +
  'with Docker, `--ulimit nofile=65536:65536`; in Kubernetes the container inherits the container runtime\'s default ' +
  '(containerd/CRI-O: `LimitNOFILE` of their systemd unit or the runtime\'s default rlimits on the node), a pod spec cannot set it. ' +
  `Where the fds go: ${str(f['breakdown'], 'not classified')}. ` +
  'Many sockets usually mean connections piling up to an unresponsive backend or many receiver clients; many files point at file_storage or filelog receivers.';

const memoryFix = (f: Facts): string => {
  switch (f['source']) {
    case 'cgroup':
      return 'The cgroup limit is the one that bites: past it the kernel OOM-kills the collector and its in-memory queues are lost. ' +
        'Raise the container\'s memory limit (Kubernetes `resources.limits.memory`, Docker `--memory`, systemd `MemoryMax=`), ' +
        'and put a `memory_limiter` processor first in every pipeline with `limit_percentage: 80` and `spike_limit_percentage: 25`, ' +
        'so that the collector refuses data before the kernel kills it.';
    case 'memory_limiter':
      return 'The memory_limiter processor is near its soft limit (`limit_mib - spike_limit_mib`, the spike 20% of the limit when not set): ' +
        'past it the collector refuses incoming data (receivers answer with errors). ' +
        'Raise `processors.memory_limiter.limit_mib` (or `limit_percentage`) if the host has room, or lower what is held in memory: ' +
        'a smaller `sending_queue.queue_size` on exporters whose backend is slow, and a smaller `batch` `send_batch_max_size`.';
    default:
      return 'Host memory is nearly used up by the collector: give the collector a memory limit and a `memory_limiter` processor ' +
        '(`limit_percentage: 80`, `spike_limit_percentage: 25`) so it refuses data instead of driving the host into the OOM killer.';
  }
};

export const resourcesReasons = {
  fd_near_limit: {
    cause: 'resources',
    severity: 'warning',
    summary: 'the collector has used most of its open-files limit',
    message: (f) =>
      `The collector (pid ${str(f['pid'], '?')}) has ${str(f['open'], '?')} open file descriptors of its soft limit ${str(f['max'], '?')} ` +
      `(${pct(f['ratio'])}, threshold ${pct(f['threshold'])}); at the limit new connections and files fail with EMFILE ("too many open files").`,
    fix: fdFix,
  },
  fd_exhausted: {
    cause: 'resources',
    severity: 'critical',
    summary: 'the collector has no file descriptors left',
    message: (f) =>
      `The collector (pid ${str(f['pid'], '?')}) has ${str(f['open'], '?')} open file descriptors, at its soft limit ${str(f['max'], '?')}: ` +
      'every new connection (to backends and from clients) and every file open fails with EMFILE ("too many open files").',
    fix: fdFix,
  },
  memory_near_limit: {
    cause: 'resources',
    severity: 'warning',
    summary: 'the collector is close to its memory limit',
    message: (f) => {
      // memory_limiter: the limit compared with is its soft limit, where it starts refusing data
      const soft = f['hard'] !== undefined
        ? `, the memory_limiter's soft limit where it starts refusing data (limit ${mib(f['hard'])} minus spike limit ${mib(f['spike'])})`
        : '';
      return `The collector (pid ${str(f['pid'], '?')}) uses ${mib(f['rss'])} resident memory, ${pct(f['ratio'])} of its ${str(f['source'])} limit ` +
        `${mib(f['limit'])}${soft} (threshold ${pct(f['threshold'])}).`;
    },
    fix: memoryFix,
  },
  oom_killed: {
    cause: 'resources',
    severity: 'critical',
    summary: 'the collector was killed for running out of memory',
    message: (f) => {
      const when = f['at'] ? ` at ${str(f['at'])}` : '';
      const restart = f['newPid'] ? ` It came back as pid ${str(f['newPid'])}${f['oldPid'] ? ` (was ${str(f['oldPid'])})` : ''}; everything in its in-memory sending queues was lost.` : '';
      if (f['how'] === 'inferred') {
        return `The collector restarted${when} right after its resident memory reached ${mib(f['rss'])} of its cgroup limit ${mib(f['limit'])}: ` +
          `almost certainly an OOM kill (the cgroup's OOM counter is not visible from here).${restart}`;
      }
      return `The kernel OOM-killed a process in the collector's memory cgroup ${str(f['cgroup'])}${when} ` +
        `(oom_kill counter +${str(f['count'], '1')}, limit ${mib(f['limit'])}).${restart}`;
    },
    fix: (f) => memoryFix({ ...f, source: 'cgroup' }),
  },
  collector_not_found: {
    cause: 'resources',
    severity: 'critical',
    summary: 'the collector process cannot be found',
    message: (f) => {
      switch (f['mode']) {
        case 'pid':
          return `The collector is configured as pid ${str(f['pid'])} (collector.process.pid), but ${str(f['detail'])}.`;
        case 'pid_file':
          return `The collector is configured by the pid file ${str(f['pidFile'])} (collector.process.pid_file), but ${str(f['detail'])}.`;
        default:
          return `No collector process found: ${str(f['detail'])} (matched on /proc/PID/comm and argv[0]).`;
      }
    },
    fix: (f) => {
      const base = 'Check that the collector is running. ';
      if (f['mode'] === 'pid') return `${base}A fixed pid changes at every restart: prefer collector.process.name (or pid_file) in the otel-sentinel config.`;
      if (f['mode'] === 'pid_file') return `${base}Make the collector's service manager write its pid to ${str(f['pidFile'])} (systemd: \`PIDFile=\`), or use collector.process.name instead.`;
      const few = typeof f['visible'] === 'number' && f['visible'] <= 3;
      return base +
        (few ? 'Only a few processes are visible: otel-sentinel probably runs in its own PID namespace. In Kubernetes set `shareProcessNamespace: true` in the pod spec; with Docker use `--pid=container:<collector>`. ' : '') +
        'If the binary has another name, set collector.process.name to it.';
    },
  },
  collector_restarted: {
    cause: 'resources',
    severity: 'warning',
    summary: 'the collector process restarted',
    message: (f) =>
      `The collector restarted${f['at'] ? ` at ${str(f['at'])}` : ''}: pid ${str(f['oldPid'], '?')} is gone, pid ${str(f['newPid'], '?')} runs now ` +
      `(${str(f['restarts'], '1')} restart(s) seen since otel-sentinel started). Data held in its in-memory sending queues at that moment was lost.`,
    fix: () =>
      'Look at the collector\'s last log lines and exit status (`kubectl logs --previous`, `journalctl -u otelcol`). ' +
      'To keep queued data across restarts, give exporters a persistent queue (`sending_queue.storage: file_storage`).',
  },
  proc_unreadable: {
    cause: 'resources',
    severity: 'warning',
    summary: 'part of the collector\'s /proc entry cannot be read',
    message: (f) =>
      `Cannot read ${str(f['what'])} of the collector (pid ${str(f['pid'], '?')}): ${str(f['code'])}. ` +
      `Not visible because of it: ${str(f['lost'])}.`,
    fix: () =>
      'The kernel shows a process\'s fd table, limits and environment only to the same user or to a process with CAP_SYS_PTRACE. ' +
      'Run otel-sentinel as the collector\'s user (Kubernetes: the same `securityContext.runAsUser`), or add the capability ' +
      '(`securityContext.capabilities.add: ["SYS_PTRACE"]`); in a pod, `shareProcessNamespace: true` is needed to see the collector at all.',
  },
  cgroup_unavailable: {
    cause: 'resources',
    severity: 'warning',
    summary: 'the collector\'s memory cgroup cannot be read',
    message: (f) =>
      `The collector's (pid ${str(f['pid'], '?')}) memory cgroup cannot be read: ${str(f['detail'])}. ` +
      'Its container memory limit and OOM kills are not visible; the memory limit used is the memory_limiter\'s or the host\'s.',
    fix: () =>
      'Mount the host\'s cgroup filesystem read-only into otel-sentinel\'s container (or run it in the collector\'s cgroup namespace: ' +
      'Docker `--cgroupns=host`), or set a `memory_limiter` processor so that a limit is known. ' +
      'OOM kills still show up as restarts (reason collector_restarted).',
  },
} satisfies Record<string, ReasonSpec>;
