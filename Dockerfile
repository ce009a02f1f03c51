# The valuegraph app for docker-compose.yml. Neo4j runs in its own official container.

# GraphiQL 3 and React 18 from the pinned npm packages; the API serves them offline.
FROM node:20-slim AS graphiql
WORKDIR /graphiql
COPY api/graphiql/package.json api/graphiql/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY valuegraph ./valuegraph
COPY ingest ./ingest
COPY graph ./graph
COPY queries ./queries
COPY api ./api
COPY --from=graphiql /graphiql/node_modules ./api/graphiql/node_modules
# Installed in place, so the API finds the GraphiQL assets beside its code.
RUN pip install --no-cache-dir -e . && useradd --create-home valuegraph
USER valuegraph
WORKDIR /data
EXPOSE 8000
CMD ["valuegraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
