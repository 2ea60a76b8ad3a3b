# arazzo-temporal worker image.
# The Temporal server runs in its own container (see docker-compose.yml), so the postinstall download of the
# Temporal CLI / test server is skipped. Dependencies are installed in full (not --omit=dev): the worker runs the
# TypeScript sources through tsx at run time.
FROM node:20-slim

WORKDIR /app

ENV ARAZZO_SKIP_TEMPORAL_INSTALL=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# Install dependencies first so this layer is reused while only sources change.
# scripts/ is needed by the postinstall hook (which exits early because of ARAZZO_SKIP_TEMPORAL_INSTALL).
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN npm ci && npm cache clean --force

COPY --chown=node:node . .
RUN mkdir -p /app/.data && chown node:node /app/.data

ENV TEMPORAL_ADDRESS=temporal:7233 \
    TEMPORAL_NAMESPACE=default

USER node

# One Node process (no npx/tsx launcher in between), so SIGTERM from `docker stop` reaches the worker and it can
# shut down gracefully. The bin loads tsx in-process.
CMD ["node", "bin/arazzo-temporal.js", "worker"]
