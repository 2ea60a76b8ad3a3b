# arazzo-temporal worker image, in two stages.
#   build:   all dependencies, `npm run build` (dist/: the compiled JavaScript, the prebuilt workflow bundle and the
#            standalone schema validators).
#   runtime: production dependencies only (no TypeScript, no tsx; webpack stays, @temporalio/worker loads it), dist/
#            from the build stage, the project's documents and schemas; runs as the non-root `node` user.
# The Temporal server runs in its own container (see docker-compose.yml), so the postinstall download of the Temporal
# CLI / test server is skipped (ARAZZO_SKIP_TEMPORAL_INSTALL, and --ignore-scripts).
# Size (estimated from the installed production dependencies, no Docker engine here): see the README.
FROM node:22-slim AS build
WORKDIR /app
ENV ARAZZO_SKIP_TEMPORAL_INSTALL=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY schemas ./schemas
COPY src ./src
RUN npm run build

FROM node:22-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    ARAZZO_SKIP_TEMPORAL_INSTALL=1 \
    ARAZZO_FROM_SOURCE=0 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json .npmrc ./
# The native Temporal core ships prebuilt for five platforms (~27 MiB each); keep only this image's.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force \
 && target="$(node -p "({x64:'x86_64',arm64:'aarch64'})[process.arch]")-unknown-linux-gnu" \
 && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 ! -name "$target" -exec rm -rf {} +
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY arazzo ./arazzo
COPY openapi ./openapi
COPY asyncapi ./asyncapi
COPY overlays ./overlays
COPY examples ./examples
RUN mkdir -p /app/.data && chown node:node /app/.data

ENV TEMPORAL_ADDRESS=temporal:7233 \
    TEMPORAL_NAMESPACE=default

USER node

# Healthy while the worker's Temporal frontend accepts connections (bin/healthcheck.js).
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 CMD ["node", "bin/healthcheck.js"]

# One Node process (no npm/npx launcher in between), so SIGTERM from `docker stop` reaches the worker and it can
# shut down gracefully. The bin runs dist/cli.js; the worker loads dist/workflow-bundle.js (no bundling at start).
CMD ["node", "bin/arazzo-temporal.js", "worker"]
