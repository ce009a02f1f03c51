# The valuegraph app for docker-compose.yml. Neo4j runs in its own official container.
# Three stages: npm fetches GraphiQL, the wheel is built with it inside, and the final image
# holds only the installed wheel (no sources, no npm), as `pip install valuegraph` would.

# GraphiQL 3 and React 18 from the pinned npm packages; the API serves them offline.
FROM node:20-slim AS graphiql
WORKDIR /graphiql
COPY api/graphiql/package.json api/graphiql/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# The wheel. setup.py copies the files of those packages that the page loads into it, and
# stops the build if they are missing. valuegraph/ holds links to the layer folders beside it
# (COPY keeps links as links), so every folder it links to is copied too.
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY valuegraph ./valuegraph
COPY api ./api
COPY cli ./cli
COPY graph ./graph
COPY ingest ./ingest
COPY pipelines ./pipelines
COPY queries ./queries
COPY report ./report
COPY --from=graphiql /graphiql/node_modules ./api/graphiql/node_modules
RUN pip wheel --no-cache-dir --no-deps --quiet --wheel-dir /dist .

FROM python:3.11-slim
COPY --from=wheel /dist /dist
RUN pip install --no-cache-dir --quiet /dist/*.whl && rm -rf /dist && useradd --create-home valuegraph
USER valuegraph
WORKDIR /data
EXPOSE 8000
CMD ["valuegraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
