# One image for the API, the orchestration worker and the bot worker (docker-compose.yml picks the
# command). TypeScript runs through tsx, a runtime dependency: there is no build step.
FROM node:20-bookworm-slim

# Chromium from Debian for the bots (Playwright drives it through CHROMIUM_PATH; no browser
# download), fonts so that screenshots are legible, tini to pass signals and reap Chromium's children.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    CHROMIUM_PATH=/usr/bin/chromium \
    TANDEM_API_HOST=0.0.0.0 \
    TANDEM_API_PORT=8080 \
    TANDEM_STATE_DIR=/var/lib/tandem

WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` refuses a lock that lacks some platforms' optional packages (a registry mirror that does
# not serve them leaves them out); `npm install` then installs the same locked versions.
RUN (npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-audit --no-fund) \
 && npm cache clean --force

COPY . .
RUN mkdir -p /var/lib/tandem/artifacts && chown -R node:node /var/lib/tandem
USER node

EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["npx", "tsx", "api/server.ts"]
