# A dynamo node image: `docker build -t dynamo:0.1.0 .`, then for example
#   docker run -v dynamo-data:/var/lib/dynamo -p 7100:7100 dynamo:0.1.0 start --id n1 --host 0.0.0.0 ... 
# (deploy/kubernetes/ runs it as a StatefulSet). The entrypoint is the `dynamo` CLI.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY ui ./ui
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/ui ./ui
RUN groupadd --system --gid 10001 dynamo && useradd --system --uid 10001 --gid dynamo --home /var/lib/dynamo dynamo \
  && mkdir -p /var/lib/dynamo && chown dynamo:dynamo /var/lib/dynamo
USER dynamo
VOLUME /var/lib/dynamo
EXPOSE 7000 7100 7200
ENTRYPOINT ["node", "/app/bin/dynamo.js"]
CMD ["--help"]
