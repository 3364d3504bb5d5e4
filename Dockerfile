# One image, three entrypoints: `coordinator`, `webhook`, `sidecar` (dist/bin/onexit.js).
# The image runs tsc's output, not the TypeScript sources: Node's type stripping costs every
# process ~17 MiB of RSS, and the `wait` sidecar must stay under 80 MiB.
# Without docker, `make image` builds the same image offline (test/cluster/images.sh): it reads
# this file's final stage and refuses instructions it cannot reproduce, so keep them to
# ENV, WORKDIR, COPY, USER and an exec-form ENTRYPOINT.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY common ./common
COPY coordinator ./coordinator
COPY webhook ./webhook
COPY sidecar ./sidecar
RUN npx tsc -p tsconfig.build.json

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

# The artifact copier (webhook/artifact-copier.ts): Debian's static busybox (GPL-2.0, ~2 MiB),
# unmodified; `onexit-init` copies it into a step pod's artifacts volume so `main` needs no shell.
FROM debian:bookworm-slim AS busybox
RUN apt-get update && apt-get install -y --no-install-recommends busybox-static && rm -rf /var/lib/apt/lists/*

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY --from=busybox /bin/busybox /usr/local/bin/busybox
USER 10001:10001
ENTRYPOINT ["node", "dist/bin/onexit.js"]
