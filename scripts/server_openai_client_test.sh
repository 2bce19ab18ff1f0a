#!/usr/bin/env bash
# ctest: `ragrt serve` on a temp collection, checked with the official `openai` npm client
# (scripts/node/openai_client_check.mjs), then stopped with SIGTERM, which must exit 0; then a
# server started on an empty collection and filled by upload; then the client's own tools through
# an llm pipeline (scripts/node/openai_client_tools_check.mjs).
# Usage: server_openai_client_test.sh RAGRT_BINARY TEST_WORK_DIR
set -euo pipefail
RAGRT="${1:?usage: server_openai_client_test.sh RAGRT_BINARY TEST_WORK_DIR}"
WORK="${2:?usage: server_openai_client_test.sh RAGRT_BINARY TEST_WORK_DIR}"
WORK="$(cd "$WORK" && pwd)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="$WORK/server_openai_client.$$"
rm -rf "$DIR"
mkdir -p "$DIR/docs"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

if ! (cd "$HERE/node" && node -e "import('openai')" 2>/dev/null); then
  echo "the openai npm package is not installed in scripts/node: run bash scripts/setup.sh (npm ci there)" >&2
  exit 1
fi

echo "Standard delivery takes three to five business days. Express delivery takes one to two business days." > "$DIR/docs/shipping.txt"
echo "Refunds are paid within five working days after the return arrives." > "$DIR/docs/refunds.txt"
KEY="sk-ragrt-test-$$"
cat > "$DIR/ragrt.yaml" <<YAML
collection: index
embedder: {model: $WORK/models/bert-mean}
retrievers: {bm25: {type: bm25}}
server:
  api_keys: [{name: test, sha256: $("$RAGRT" serve --hash-key "$KEY")}]
YAML
"$RAGRT" index "$DIR/docs" --config "$DIR/ragrt.yaml" > /dev/null

# start_server CONFIG NAME: runs ragrt serve on a free port (stdout in NAME.out, stderr in
# NAME.err) and sets SERVER_PID and URL once it listens.
start_server() {
  "$RAGRT" serve --config "$1" --port 0 > "$DIR/$2.out" 2> "$DIR/$2.err" &
  SERVER_PID=$!
  URL=""
  for _ in $(seq 1 600); do
    URL="$(sed -n 's|^ragrt: listening on \(http://[^ ]*\).*|\1|p' "$DIR/$2.out")"
    [[ -n "$URL" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DIR/$2.err" >&2; echo "ragrt serve exited before listening" >&2; exit 1; }
    sleep 0.1
  done
  echo "ragrt serve did not print its address" >&2
  exit 1
}

start_server "$DIR/ragrt.yaml" serve

node "$HERE/node/openai_client_check.mjs" "$URL" "$KEY"
node "$HERE/node/langchain_check.mjs" "$URL" "$KEY"

kill -TERM "$SERVER_PID"
status=0
wait "$SERVER_PID" || status=$?
SERVER_PID=""
if [[ $status -ne 0 ]]; then
  cat "$DIR/serve.err" >&2
  echo "ragrt serve exited with $status after SIGTERM (expected 0)" >&2
  exit 1
fi
echo "ragrt serve drained and exited 0 on SIGTERM"
# serve logs at info by default: one access line per request, with the key's name.
grep -q 'access method=POST route=/v1/chat/completions status=200 .* key=test pipeline=default trace_id=[0-9a-f]\{32\}' "$DIR/serve.err" \
  || { cat "$DIR/serve.err" >&2; echo "no access-log line for a chat completion" >&2; exit 1; }

# A new deployment: serve on a collection that does not exist yet, fill it through the upload API.
cat > "$DIR/empty.yaml" <<YAML
collection: fresh
retrievers: {bm25: {type: bm25}}
YAML
start_server "$DIR/empty.yaml" empty
grep -q "collection .*fresh: created empty" "$DIR/empty.err" || { cat "$DIR/empty.err" >&2; exit 1; }
node --input-type=module - "$URL" "$DIR/docs/refunds.txt" <<'JS'
import { readFileSync } from "node:fs";
const [url, file] = process.argv.slice(2);
const form = new FormData();
form.append("file", new Blob([readFileSync(file)]), "refunds.txt");
let job = await (await fetch(url + "/v1/documents", { method: "POST", body: form })).json();
for (let i = 0; i < 300 && job.status !== "succeeded" && job.status !== "failed"; ++i) {
  await new Promise((r) => setTimeout(r, 100));
  job = await (await fetch(url + "/v1/jobs/" + job.id)).json();
}
if (job.status !== "succeeded") throw new Error("upload job: " + JSON.stringify(job));
const chat = await (await fetch(url + "/v1/chat/completions", {
  method: "POST", headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ model: "default", messages: [{ role: "user", content: "How long do refunds take?" }] }),
})).json();
const answer = chat.choices[0].message.content;
if (!answer.includes("five working days") || !chat.citations[0].source.includes("refunds.txt"))
  throw new Error("answer after upload: " + JSON.stringify(chat));
console.log("an empty collection served, filled by upload, answered: " + answer);
JS
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
SERVER_PID=""

# The client's own tools through a pipeline of type llm (a stub model behind ragrt serve).
node "$HERE/node/openai_client_tools_check.mjs" "$RAGRT" "$DIR"
