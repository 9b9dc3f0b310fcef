#!/usr/bin/env bash
# The package as a user gets it: build, pack, install the tarball into an empty folder with
# production dependencies only, and there run the command offline, a flow of one's own, the
# dashboard's page, and `import 'dataflow'` from plain Node and from TypeScript.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/dataflow-packed-XXXXXX")"
trap 'rm -rf "$work"' EXIT
fail() { echo "packed install: $*" >&2; exit 1; }

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

cat > flow.mjs <<'FLOW'
import { z } from 'zod';
import { defineFlow, defineMediator, defineMessage, defineWorker } from 'dataflow';

const PleaseDouble = defineMessage('please-double', z.object({ n: z.number() }));
const DidDouble = defineMessage('did-double', z.object({ n: z.number(), result: z.number() }));

const doubler = defineWorker({
  name: 'doubler',
  accepts: PleaseDouble,
  replies: DidDouble,
  async handle({ n }) {
    return { n, result: n * 2 };
  },
});

export default defineFlow({ name: 'doubling', workers: [doubler], mediator: defineMediator({ name: 'mediator', rules: [] }) });
FLOW
echo '{"type":"please-double","n":21}' | DATAFLOW_DIR="$app/.doubling" npx dataflow send --flow ./flow.mjs - > send.out 2> send.err || { cat send.err >&2; fail "send --flow failed"; }
grep -q '"type":"did-double"' send.out && grep -q '"result":42' send.out || { cat send.out >&2; fail "send --flow ./flow.mjs did not double 21"; }
echo "send --flow ./flow.mjs: $(grep did-double send.out)"

# A .ts flow needs a loader of the user's own; without one the error says so.
echo 'export default 1 as number;' > flow.ts
if echo '{"type":"please-double","n":1}' | DATAFLOW_DIR="$app/.ts" npx dataflow send --flow ./flow.ts - 2> ts.err; then fail "a .ts flow ran without a loader"; fi
grep -q "is TypeScript, which node does not run by itself" ts.err || { cat ts.err >&2; fail "no clear error for a .ts flow without a loader"; }

# The root entry is the core alone: it imports with the heavy packages unresolvable.
node --import "$repo/test/support/block-packages.mjs" --input-type=module \
  -e "const { defineFlow } = await import('dataflow'); if (typeof defineFlow !== 'function') process.exit(1);" \
  || fail "the root entry needs a heavy package"
for entry in embedded cluster dashboard; do
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
DATAFLOW_DIR="$app/.dataflow" npx dataflow dashboard --port 0 2> dashboard.err &
dashboard=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://[^ ]*' dashboard.err | head -n 1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
page="$( [ -n "$url" ] && curl -fsS "$url" || true)"
kill "$dashboard" 2>/dev/null || true
wait "$dashboard" 2>/dev/null || true
grep -qi '<html' <<<"$page" || { cat dashboard.err >&2; fail "the dashboard served no page"; }
echo "dashboard: page served at $url"
# init's templates ship: the starter it writes passes its own test and runs, as printed.
npx dataflow init starter 2> init.err || { cat init.err >&2; fail "init failed"; }
(cd starter && npm test > ../init-test.out 2>&1) || { cat init-test.out >&2; fail "the starter's npm test failed"; }
echo '{"type":"please-tidy-text","text":"a b c"}' | (cd starter && DATAFLOW_DIR="$app/.starter" npx dataflow send -) > init-send.out 2> init-send.err \
  || { cat init-send.err >&2; fail "send on the starter failed"; }
grep -q '"words":3' init-send.out || { cat init-send.out >&2; fail "the starter did not count 3 words"; }
echo "init: the starter's test passes, and send runs it"
echo "packed install: ok"
