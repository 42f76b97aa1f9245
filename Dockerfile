# syntax=docker/dockerfile:1
#
# The access-ledger GitHub App as a container: `access-ledger serve`, configured by Probot's
# environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, GHE_HOST …;
# docs/app.md "Environment"). The same image runs the CLI: `docker run … validate /repo`.
#
#   docker build -t access-ledger .
#   docker run --rm -p 3000:3000 -e APP_ID -e PRIVATE_KEY -e WEBHOOK_SECRET access-ledger

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: every dependency, the TypeScript compiled to build/ --------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY policies ./policies
RUN npm run build

# ---- runtime: production dependencies, the compiled build/, no sources, no compiler -----------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/build ./build
COPY bin ./bin
COPY policies ./policies
COPY app.yml gate-app.yml README.md ./
COPY docs ./docs
# The image's own user (uid 1000, from the node image), never root; it writes nothing to /app.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/access-ledger.js"]
CMD ["serve"]
