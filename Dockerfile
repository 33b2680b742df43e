# The SUT image compose.yaml runs as node-1 and node-2: Node 20, production dependencies, and the
# same entry point as `npm start` (TypeScript through tsx, no build step).
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY lib ./lib
COPY sut ./sut
# HOST=0.0.0.0 is reachable from outside: the SUT then needs AUTH_SECRET (compose.yaml passes it
# from .env) and exits 2 without one. Never bake a secret into the image.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
EXPOSE 3000
USER node
CMD ["node", "--import", "tsx", "sut/main.ts"]
