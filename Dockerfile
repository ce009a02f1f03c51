# The valuegraph app for docker-compose.yml. Neo4j runs in its own official container.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY valuegraph ./valuegraph
COPY ingest ./ingest
COPY graph ./graph
COPY queries ./queries
COPY api ./api
RUN pip install --no-cache-dir . && useradd --create-home valuegraph
USER valuegraph
WORKDIR /data
EXPOSE 8000
CMD ["valuegraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
