# syntax=docker/dockerfile:1
#
# otel-sentinel container image.
#   docker build -t ghcr.io/otel-sentinel/otel-sentinel:0.1.0 .
#   docker run --rm -p 13134:13134 \
#     -v $PWD/config/sentinel.yaml:/etc/otel-sentinel/sentinel.yaml:ro \
#     -v /etc/otelcol:/etc/otelcol:ro ghcr.io/otel-sentinel/otel-sentinel:0.1.0
#
# The base image is pinned by tag. For reproducible builds, pin it by digest as well:
#   docker buildx imagetools inspect node:24.11.1-bookworm-slim   # prints the digest
#   --build-arg NODE_IMAGE=node:24.11.1-bookworm-slim@sha256:<digest>
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

# --- build: compile TypeScript and bundle it with its packages, with the dev dependencies ------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/bundle.mjs ./scripts/
COPY src ./src
RUN npm run build

# --- runtime: the bundle only ------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX=2: on Node 24, V8's compiler and GC threads otherwise keep freed memory in
# malloc arenas of their own, about 13 MB more RSS at 1,000 exporters for no CPU (docs/performance.md).
# MALLOC_TRIM_THRESHOLD_=131072: glibc's own default, fixed, so that glibc stops raising it (up to
# 64 MB) after large blocks are freed, and gives freed memory back: 3-9 MB less idle, about 10 MB
# less at 1,000 exporters (docs/performance.md).
ENV NODE_ENV=production \
    OTEL_SENTINEL_CONFIG=/etc/otel-sentinel/sentinel.yaml \
    MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=131072
WORKDIR /app
# dist/bundle holds the daemon and every package it runs (and their licences,
# THIRD-PARTY-LICENSES.txt): no node_modules. One module file per part loaded at its own time
# instead of about 300: 10 MB less idle RSS and a faster start (docs/performance.md).
# package.json gives the version; `otel-sentinel` on PATH for `kubectl exec ... -- otel-sentinel check`.
COPY package.json ./
COPY --from=build /app/dist/bundle ./dist/bundle
COPY config ./config
RUN printf '#!/bin/sh\nexec node --liftoff-only /app/dist/bundle/otel-sentinel.js "$@"\n' > /usr/local/bin/otel-sentinel \
 && chmod 0755 /usr/local/bin/otel-sentinel

# The image's `node` user (uid 1000). In Kubernetes, run it as the collector's uid instead
# (runAsUser), so that it may read the collector's /proc entries: see docs/kubernetes.md.
USER 1000:1000

EXPOSE 13134

# /livez answers 200 while the probe loop is alive; a backend outage never fails it. Uses node
# itself: the slim image has no curl or wget. Assumes the default listen port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:13134/livez',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# --liftoff-only: WebAssembly (only undici's HTTP parser, llhttp) stays on V8's baseline compiler
# instead of being recompiled by TurboFan once hot: 4-8 MB less idle RSS on Node 24, no CPU per
# probe the bench can tell (docs/performance.md). A V8 option, so on node's command line: NODE_OPTIONS
# refuses it, and the daemon cannot set it itself once V8 is running.
ENTRYPOINT ["node", "--liftoff-only", "dist/bundle/otel-sentinel.js"]
CMD ["serve", "--config", "/etc/otel-sentinel/sentinel.yaml"]
