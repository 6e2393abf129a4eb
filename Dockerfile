# syntax=docker/dockerfile:1
# stepwatch: build with the dev dependencies, run with the runtime ones only, as a non-root user.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    STEPWATCH_HOST=0.0.0.0 \
    STEPWATCH_MONITORS=/app/monitors \
    STEPWATCH_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY src/demo/monitors ./src/demo/monitors
COPY src/demo/tls ./src/demo/tls
COPY schema ./schema
COPY monitors ./monitors
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/bin.js"]
CMD ["start"]
