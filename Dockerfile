# syntax=docker/dockerfile:1
# Tsunagaru's container image: the production recipe in a build stage, then only the build, the
# production dependencies and the files read at run time, as the unprivileged user `node`.
# CI does not build this image (there is no container engine on the CI machine); it is linted only.
#   docker build -t tsunagaru .
#   docker run --env-file tsunagaru.env -p 3000:3000 tsunagaru                    # web and worker
#   docker run --env-file tsunagaru.env tsunagaru node dist/main.js worker        # one role
#   docker run --env-file tsunagaru.env tsunagaru node dist/cli/main.js migrate   # migrations only

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY views ./views
COPY locales ./locales
COPY public ./public
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
# No sources in the image: the build is what runs (the stale-build check needs src/ to compare).
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/views ./views
COPY --from=build /app/locales ./locales
COPY --from=build /app/public ./public
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
