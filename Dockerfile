# syntax=docker/dockerfile:1
# The DocTel image: the indexer, the API, the CLI (one-shot `deploy`) and a development chain
# (Hardhat's node) all run from it; docker-compose.yml picks the command. Server code is
# TypeScript run directly by Node 24 (type stripping): "building" compiles the contract, generates
# the ABIs and the Prisma client.
FROM node:24-bookworm

ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first, so that a source change reuses this layer. Scripts wait until the sources
# are there: the package's postinstall builds the contract and the Prisma client.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --ignore-scripts

COPY --chown=node:node . .
# Runs the install scripts skipped above (native and platform packages), then the build.
# devDependencies stay: the indexer migrates with @prisma/schema-engine-wasm and the chain
# service is Hardhat.
RUN npm rebuild && npm run build \
 && mkdir -p /app/.doctel
# /app/.doctel holds the deployment record: docker-compose.yml mounts a named volume there, which
# takes this folder's owner (node) when first created, so `deploy` can write it.

EXPOSE 4000 9464 8545

# The API by default; docker-compose.yml runs `node indexer/main.ts`, `node cli/bin.ts deploy` and
# `npx hardhat node` from the same image.
CMD ["node", "graphql/main.ts"]
