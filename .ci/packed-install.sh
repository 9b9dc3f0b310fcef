#!/usr/bin/env bash
# The package as a user gets it: build, pack, install the tarball into an empty folder with
# production dependencies only, and there run the command offline, the README's doubling flow
# (its test, `send` on the embedded runtime, and `run` processes on the cluster runtime against
# PostgreSQL, DATAFLOW_PACKED_DATABASE_URL or the local `test` database), the dashboard's page,
# and `import 'dataflow'` from plain Node and from TypeScript.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/dataflow-packed-XXXXXX")"
fail() { echo "packed install: $*" >&2; exit 1; }
# What runs in the background runs in a process group of its own (setsid), so that however the
# script ends, `kill -- -<group>` leaves none of it behind; the cluster part's schemas are dropped.
groups=()
in_background() { setsid "$@" & groups+=($!); }
schema=""
cleanup() {
  for group in "${groups[@]}"; do kill -KILL -- "-$group" 2>/dev/null || true; done
  if [ -n "$schema" ]; then drop_schemas || echo "packed install: could not drop the schemas $schema and ${schema}_queue" >&2; fi
  rm -rf "$work"
}
# npx runs the command under `sh -c` and does not pass SIGTERM on, so a stop signals the dataflow
# process itself, found in the group, then waits for npx: its exit code is the command's (that of a
# command that had already ended when there is none to signal).
stop_dataflow() {
  local pid code=0
  pid="$(pgrep -g "$1" -f '/\.bin/dataflow ' | head -n 1 || true)"
  [ -z "$pid" ] || kill -TERM "$pid"
  wait "$1" || code=$?
  return "$code"
}
trap cleanup EXIT

cd "$repo"
npm run build
tarball="$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)"  # built just above
echo "packed $tarball"
listing="$(tar -tzf "$work/$tarball")"
grep -q '^package/dist/cli/main.js$' <<<"$listing" || fail "the tarball has no dist/cli/main.js"
grep -q '^package/dist/dashboard/ui/index.html$' <<<"$listing" || fail "the tarball has no dashboard page"
if grep -qE '^package/(src|test|bench)/' <<<"$listing"; then fail "the tarball ships sources or tests"; fi

app="$work/app"
mkdir "$app"
cd "$app"
echo '{ "name": "my-flows", "private": true }' > package.json
npm install --omit=dev --no-audit --no-fund "$work/$tarball"
[ ! -e node_modules/tsx ] || fail "tsx was installed: it must be a development dependency only"

# Offline: no Aeris credentials, so the built-in map server draws the maps.
env -u AERIS_CLIENT_ID -u AERIS_CLIENT_SECRET -u SMTP_URL -u DATABASE_URL -u DATAFLOW_CONFIG -u DATAFLOW_FLOW \
  DATAFLOW_DIR="$app/.dataflow" npx dataflow run --once > run.out 2> run.err || { cat run.err >&2; fail "run --once failed"; }
count() { find "$app/.dataflow/$1" -type f -name "$2" | wc -l; }
[ "$(count blobs/dataflow/amp-image-fetcher '*.png')" -eq 5 ] || fail "expected 5 frames"
[ "$(count blobs/dataflow/thumbnail-creator '*.png')" -eq 5 ] || fail "expected 5 thumbnails"
[ "$(count blobs/dataflow/gif-creator '*.gif')" -eq 1 ] || fail "expected 1 GIF"
[ "$(count outbox '*.eml')" -eq 1 ] || fail "expected 1 mail"
echo "run --once: 5 frames, 5 thumbnails, 1 GIF, 1 mail"

# The README's doubling flow, saved as flow.mjs from the README the package ships (its blocks are
# the example files: test/package/readme-snippets.test.ts), and the example's own test beside it.
readme_block() {
  awk -v mark="<!-- file: $1 -->" '$0 == mark { m = 1; next } m == 1 && /^```/ { m = 2; next } m == 2 && /^```$/ { exit } m == 2 { print }' node_modules/dataflow/README.md
}
readme_block examples/doubling/flow.mjs > flow.mjs
[ -s flow.mjs ] || fail "the installed README has no block marked <!-- file: examples/doubling/flow.mjs -->"
cp "$repo/examples/doubling/flow.test.mjs" flow.test.mjs
node --test flow.test.mjs > flow-test.out 2>&1 || { cat flow-test.out >&2; fail "the doubling example's test fails against the installed dataflow/testing"; }
echo "node --test flow.test.mjs (dataflow/testing): $(grep -E '^# pass' flow-test.out)"

two_numbers='{"type":"please-double","n":1}
{"type":"please-double","n":2}'
# The pair (2, 4) summed, as `send` prints it, and the summer's file.
summed() {
  grep '"type":"did-sum"' "$1" | grep -q '"total":6' || { cat "$1" >&2; fail "$2: send printed no did-sum of 6"; }
  grep -rqx '2 + 4 = 6' "$3/blobs/dataflow/summer" 2>/dev/null || fail "$2: the summer wrote no '2 + 4 = 6' under $3/blobs/dataflow/summer"
}
echo "$two_numbers" | env -u DATABASE_URL -u DATAFLOW_FLOW -u DATAFLOW_CONFIG DATAFLOW_DIR="$app/.doubling" \
  npx dataflow send --flow ./flow.mjs - > send.out 2> send.err || { cat send.err >&2; fail "send --flow ./flow.mjs failed"; }
summed send.out "embedded send --flow ./flow.mjs" "$app/.doubling"
echo "send --flow ./flow.mjs, embedded: $(grep did-sum send.out)"

# A .ts flow needs a loader of the user's own; without one the error says so.
echo 'export default 1 as number;' > flow.ts
if echo '{"type":"please-double","n":1}' | DATAFLOW_DIR="$app/.ts" npx dataflow send --flow ./flow.ts - 2> ts.err; then fail "a .ts flow ran without a loader"; fi
grep -q "is TypeScript, which node does not run by itself" ts.err || { cat ts.err >&2; fail "no clear error for a .ts flow without a loader"; }

# The root entry is the core alone: it imports with the heavy packages unresolvable.
node --import "$repo/test/support/block-packages.mjs" --input-type=module \
  -e "const { defineFlow } = await import('dataflow'); if (typeof defineFlow !== 'function') process.exit(1);" \
  || fail "the root entry needs a heavy package"
for entry in embedded cluster aws dashboard testing examples/weather; do
  node --input-type=module -e "await import('dataflow/$entry')" || fail "dataflow/$entry does not import"
done

# TypeScript finds the types: a strict check against the installed package.
cat > check.mts <<'CHECK'
import { defineFlow, defineMediator, type Flow, type FlowFactory } from 'dataflow';
import { openEmbeddedRuntime } from 'dataflow/embedded';

const flow: Flow = defineFlow({ name: 'typed', workers: [], mediator: defineMediator({ name: 'mediator', rules: [] }) });
export const factory: FlowFactory = ({ settings }) => (settings.config.off ? flow : { flow });
export const open = () => openEmbeddedRuntime(() => flow, { dir: '.typed' });
// @ts-expect-error: a flow has no such member, so the types are real, not any
flow.noSuchMember;
CHECK
node "$repo/node_modules/typescript/bin/tsc" --noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 \
  --typeRoots "$repo/node_modules/@types" --types node check.mts || fail "TypeScript does not resolve the package's types"
echo "import { defineFlow } from 'dataflow': plain Node and TypeScript"

# The dashboard's page ships: the static route finds it next to the compiled code.
in_background env DATAFLOW_DIR="$app/.dataflow" npx dataflow dashboard --port 0 2> dashboard.err
dashboard=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://[^ ]*' dashboard.err | head -n 1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
page="$( [ -n "$url" ] && curl -fsS "$url" || true)"
stop_dataflow "$dashboard" || true
grep -qi '<html' <<<"$page" || { cat dashboard.err >&2; fail "the dashboard served no page"; }
echo "dashboard: page served at $url"

# The cluster runtime: the same flow.mjs in separate `dataflow run` processes, one the mediator, one
# the two workers, on the local PostgreSQL in a schema of its own; `send` from a third returns the
# results, then SIGTERM stops each process cleanly.
database_url="${DATAFLOW_PACKED_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
# pg, as the installed package resolves it: the script needs no psql.
pg_query() {
  DATABASE_URL="$database_url" node --input-type=module -e "
    import { createRequire } from 'node:module';
    const pg = createRequire('$app/node_modules/dataflow/package.json')('pg');
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5000 });
    await client.connect();
    try { await client.query(process.argv[1]); } finally { await client.end(); }" "$1"
}
drop_schemas() { pg_query "drop schema if exists $schema cascade; drop schema if exists ${schema}_queue cascade"; }
pg_query 'select 1' 2> pg.err || { cat pg.err >&2; fail "PostgreSQL at $database_url is not reachable (set DATAFLOW_PACKED_DATABASE_URL; .ci/run starts a local one)"; }
schema="packed_$(date +%s)_$RANDOM"
cluster_env=(env -u DATAFLOW_FLOW -u DATAFLOW_CONFIG -u DATAFLOW_BLOBS DATABASE_URL="$database_url" DATAFLOW_SCHEMA="$schema"
  DATAFLOW_DIR="$app/.cluster" DATAFLOW_DASHBOARD_PORT=off)
in_background "${cluster_env[@]}" npx dataflow run --flow ./flow.mjs --role mediator > mediator.out 2> mediator.err
mediator=$!
in_background "${cluster_env[@]}" npx dataflow run --flow ./flow.mjs --role worker:doubler --role worker:summer > workers.out 2> workers.err
workers=$!
for role in mediator workers; do
  for _ in $(seq 1 300); do grep -q 'waiting for messages' "$role.err" && break; sleep 0.1; done
  grep -q 'waiting for messages' "$role.err" || { cat "$role.err" >&2; fail "dataflow run ($role) on the cluster did not start within 30 s"; }
done
echo "$two_numbers" | "${cluster_env[@]}" npx dataflow send --flow ./flow.mjs --timeout 2m - > cluster-send.out 2> cluster-send.err \
  || { cat cluster-send.err mediator.err workers.err >&2; fail "send --flow ./flow.mjs on the cluster failed"; }
summed cluster-send.out "cluster send --flow ./flow.mjs" "$app/.cluster"
grep -q '"consumer":"mediator"' mediator.out || { cat mediator.out >&2; fail "the mediator process handled nothing"; }
grep -q '"consumer":"summer"' workers.out || { cat workers.out >&2; fail "the workers' process handled nothing"; }
for role in mediator workers; do
  code=0
  stop_dataflow "${!role}" || code=$?
  [ "$code" -eq 0 ] || { cat "$role.err" >&2; fail "dataflow run ($role) exited $code on SIGTERM, not 0"; }
  grep -q 'stopping: letting running work finish' "$role.err" || { cat "$role.err" >&2; fail "dataflow run ($role) did not stop as on SIGTERM"; }
done
echo "cluster (schema $schema): run --role mediator, run --role worker:doubler --role worker:summer, send: $(grep did-sum cluster-send.out); both stopped on SIGTERM with 0"

# init's templates ship: the starter it writes passes its own test and runs, as printed.
npx dataflow init starter 2> init.err || { cat init.err >&2; fail "init failed"; }
(cd starter && npm test > ../init-test.out 2>&1) || { cat init-test.out >&2; fail "the starter's npm test failed"; }
echo '{"type":"please-tidy-text","text":"a b c"}' | (cd starter && DATAFLOW_DIR="$app/.starter" npx dataflow send -) > init-send.out 2> init-send.err \
  || { cat init-send.err >&2; fail "send on the starter failed"; }
grep -q '"words":3' init-send.out || { cat init-send.out >&2; fail "the starter did not count 3 words"; }
echo "init: the starter's test passes, and send runs it"
# Deploying needs the CDK and esbuild, optional peer dependencies: without them the command names
# what to install; with them (the lock file's versions) it writes the template from the installed
# package, with no account and no network, the weather flow and sharp's linux-x64 binary in its asset.
synth_env=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE -u AWS_ENDPOINT_URL -u DATAFLOW_FLOW -u DATAFLOW_CONFIG
  AWS_EC2_METADATA_DISABLED=true DATAFLOW_SES_FROM=gifs@example.com)
if "${synth_env[@]}" npx dataflow deploy aws --synth --out cdk.out 2> deploy.err; then fail "deploy aws --synth ran without aws-cdk-lib"; fi
grep -q "npm install --save-dev aws-cdk-lib constructs esbuild" deploy.err || { cat deploy.err >&2; fail "no clear error for deploy aws without the CDK"; }
version_of() { node -p "require('$repo/node_modules/$1/package.json').version"; }
npm install --no-audit --no-fund --prefer-offline "aws-cdk-lib@$(version_of aws-cdk-lib)" "constructs@$(version_of constructs)" "esbuild@$(version_of esbuild)" > cdk-install.out 2>&1 \
  || { cat cdk-install.out >&2; fail "could not install the CDK beside the package"; }
"${synth_env[@]}" npx dataflow deploy aws --synth --out cdk.out > synth.out 2> synth.err || { cat synth.err >&2; fail "deploy aws --synth failed"; }
[ -s cdk.out/dataflow-dev.template.json ] || { cat synth.out >&2; fail "deploy aws --synth wrote no cdk.out/dataflow-dev.template.json"; }
ls cdk.out/asset.*/node_modules/@img/sharp-linux-x64/lib/*.node > /dev/null 2>&1 || fail "the functions' asset has no sharp linux-x64 binary"
ls cdk.out/asset.*/consumer.mjs > /dev/null 2>&1 || fail "the functions' asset has no consumer.mjs"
echo "deploy aws --synth: without the CDK a clear error; with it $(cat synth.out)"
echo "packed install: ok"
