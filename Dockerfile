# syntax=docker/dockerfile:1
# stepwatch. Targets: `production` (the default, last stage) runs `stepwatch start` on /app/monitors,
# which is empty until you mount your monitors there, so it starts clean (no invalid example file,
# no StepwatchConfigReloadFailed); `demo` adds the bundled demo monitors and the demo API's
# self-signed certificate and key (public by design, src/demo/tls/README.md) and runs
# `stepwatch demo`. The demo key is in the demo stage only, never in the production image.
# Each stage copies package*.json and installs before it copies src, so a code change reuses the
# dependency layers.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS runtime-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim AS base
ENV NODE_ENV=production \
    STEPWATCH_HOST=0.0.0.0 \
    STEPWATCH_MONITORS=/app/monitors \
    STEPWATCH_DATA_DIR=/data
WORKDIR /app
COPY --from=runtime-dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY schema ./schema
COPY --from=build /app/dist ./dist
# Every command keeps its refresh tokens and outcomes in /data (STEPWATCH_DATA_DIR): mount a volume.
RUN mkdir -p /data /app/monitors && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains runs in progress for up to 30 s: give the container more than that to stop
# (docker stop -t 45, compose stop_grace_period: 45s, Kubernetes terminationGracePeriodSeconds: 45).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli/bin.js"]
CMD ["start"]

FROM base AS demo
COPY src/demo/monitors ./src/demo/monitors
COPY src/demo/tls ./src/demo/tls
CMD ["demo"]

FROM base AS production
