# The API on Node 22, as production runs it: compiled JavaScript (`npm run build`), plain Node.
# Dependencies are installed from the lockfile (install scripts skipped: the sources they
# generate from are copied after); the build generates the Prisma client and the resolver types
# (offline: no engine download) and compiles src/ to dist/.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --include=dev --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:4000/readyz').then(r => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))"
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "dist/main.js"]
