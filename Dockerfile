# syntax=docker/dockerfile:1
# The relay's image (src/relay/README.md, "Deployment"). Two stages: `build` installs from the
# lockfile (better-sqlite3 is native: compilers in case no prebuilt binary fits), checks the
# zones, and prunes to production dependencies plus tsx; `runtime` is that tree, the relay's
# sources and migrations, and fonts for invoice PDFs, run as the unprivileged `node` user.
# The relay runs through tsx, as `npm run relay` does: its migrations and the WAL checkpoint
# worker are found relative to the source files, which a bundle would move.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ENV CI=true ELECTRON_SKIP_BINARY_DOWNLOAD=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run lint
# The operator console's static files (served by the relay under /console).
RUN npm run console:build
# tsx (a dev dependency) is how the relay runs: keep it and its esbuild through the prune.
RUN mkdir /keep \
 && cp -a node_modules/tsx node_modules/esbuild node_modules/@esbuild /keep/ \
 && npm prune --omit=dev --no-audit --no-fund \
 && cp -a /keep/tsx /keep/esbuild /keep/@esbuild node_modules/ \
 && test -f node_modules/better-sqlite3/build/Release/better_sqlite3.node

FROM ${NODE_IMAGE} AS runtime
# Invoice PDFs set Chinese text: a CJK font. tini reaps and forwards SIGTERM (graceful stop).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    RELAY_HOST=0.0.0.0 \
    RELAY_PORT=8787 \
    RELAY_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
# The relay's zones only (npm run lint keeps it from importing the app's).
COPY --from=build /app/src/relay ./src/relay
COPY --from=build /app/src/node ./src/node
COPY --from=build /app/src/shared ./src/shared
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/out/console ./out/console
COPY --from=build /app/tsconfig.base.json /app/tsconfig.json ./
RUN mkdir -p /data && chown node:node /data
USER node
# The SQLite file, its WAL, the key chain and the generated secrets live here.
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.RELAY_PORT || 8787) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tini", "--"]
CMD ["node", "--import", "tsx", "src/relay/start.ts"]
