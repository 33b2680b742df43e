# The SUT image compose.yaml runs as node-1 and node-2: Node 20, production dependencies, and the SUT
# built into one file at image build (scripts/build-sut.ts, as `npm start` and the harness do on start).
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY lib ./lib
COPY sut ./sut
COPY scripts/build-sut.ts ./scripts/
RUN node --import tsx scripts/build-sut.ts
# HOST=0.0.0.0 is reachable from outside: the SUT then needs AUTH_SECRET (compose.yaml passes it
# from .env) and exits 2 without one. Never bake a secret into the image.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
EXPOSE 3000
USER node
CMD ["node", ".build/sut.mjs"]
