# One image, three entrypoints: `coordinator`, `webhook`, `sidecar` (bin/onexit.ts).
# Node 24 runs the TypeScript sources directly (type stripping), so the image carries no build output.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY common ./common
COPY coordinator ./coordinator
COPY webhook ./webhook
COPY sidecar ./sidecar
RUN find . -name '*.test.ts' -not -path './node_modules/*' -delete
USER 10001:10001
ENTRYPOINT ["node", "bin/onexit.ts"]
