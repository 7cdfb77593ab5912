# Switchboard in a container (docs/operations.md → Deploying). Two stages: the build stage has the
# dev dependencies (TypeScript) and compiles src/ to dist/; the runtime stage has only production
# dependencies, Debian's Chromium for WhatsApp Web, and runs as a non-root user.
# .ci/prod-build proves the same steps without a container engine.

# The Node major CI runs the tests on; the image is Debian bookworm, like CI.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# Never download a browser or a mongod while installing: the runtime uses Debian's chromium and
# MongoDB runs elsewhere (compose.yaml).
ENV PUPPETEER_SKIP_DOWNLOAD=true \
    MONGOMS_DISABLE_POSTINSTALL=1
COPY package.json package-lock.json .puppeteerrc.cjs ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim
# chromium: WhatsApp Web runs in it (CHROMIUM_PATH defaults to /usr/bin/chromium).
# fonts-dejavu-core: a font for the text Chromium and the hygiene report's chart draw (the slim
# image has none).
# tini: PID 1 that forwards SIGTERM to node and reaps Chromium's exited child processes.
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core tini \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=true \
    MONGOMS_DISABLE_POSTINSTALL=1 \
    PORT=3000 \
    DATA_DIR=/var/lib/switchboard/data \
    WHATSAPP_DATA_PATH=/var/lib/switchboard/whatsapp
COPY package.json package-lock.json .puppeteerrc.cjs ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist

# The app's code stays root-owned and read-only to it; only its data folders are its own. The
# image's `node` user (uid 1000) runs it: Chromium keeps its sandbox only when not run as root.
RUN mkdir -p "$DATA_DIR" "$WHATSAPP_DATA_PATH" && chown -R node:node /var/lib/switchboard
USER node
# DATA_DIR: the embedded MongoDB's files when neither MONGODB_URI nor STORE is set.
# WHATSAPP_DATA_PATH: the linked WhatsApp session; losing it means scanning the login QR again.
VOLUME ["/var/lib/switchboard/data", "/var/lib/switchboard/whatsapp"]

EXPOSE 3000
# Ready means the store answers (docs/monitoring.md); no curl in the slim image, so Node asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
# Not `npm start`: npm would stand between the signal and the app, and there is no src/ to check.
CMD ["node", "dist/main.js"]
