#!/usr/bin/env bash
# Consumer smoke test (run by .ci/run): pack Strata, install the tarball into a fresh project outside the
# repository, and use it the way a dependent would — plain `node` (Node of this machine and Node 24 from the
# `node@24` npm package), `tsc --noEmit` under `strict`, and `npx strata --help`. Dependencies come from the npm
# cache when present (--prefer-offline). Prints the tarball size and the consumer's install size.
#   bash scripts/consumer-smoke.sh          # linalg-only consumer: no optional runtimes
#   bash scripts/consumer-smoke.sh --full   # also a consumer that installs node-llama-cpp and better-sqlite3
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/strata-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT
npm_install() { npm install --prefer-offline --no-audit --no-fund --loglevel=error "$@"; }
kib() { du -sk "$1" | cut -f1; }

cd "$root"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "consumer smoke: tarball $(basename "$tarball") $(( $(stat -c %s "$tarball") / 1024 )) KiB"
if tar -tzf "$tarball" | grep -E '^package/(src|test|bench|\.ci|docs|scripts)/' >/dev/null; then
  echo "consumer smoke: the tarball ships files outside dist/, bin/, models/:" >&2
  tar -tzf "$tarball" | grep -E '^package/(src|test|bench|\.ci|docs|scripts)/' | head >&2
  exit 1
fi

consumer() { # consumer DIR: a fresh ESM project with the tarball installed
  mkdir -p "$1" && cd "$1"
  printf '{ "name": "consumer", "version": "1.0.0", "private": true, "type": "module" }\n' > package.json
  npm_install "$tarball"
  mkdir -p src && cp "$root/test/package/consumer.mjs" "$root/test/package/consumer.ts" src/
}

# (a) plain node, without the optional runtimes.
consumer "$work/app"
echo "consumer smoke: install size without optional runtimes $(( $(kib node_modules) / 1024 )) MiB ($(ls node_modules | wc -l) packages)"
node src/consumer.mjs

# (a) again under Node 24 (the node@24 package brings its own binary).
mkdir -p "$work/node24" && (cd "$work/node24" && npm_install node@24 >/dev/null)
node24="$work/node24/node_modules/.bin/node"
"$node24" src/consumer.mjs

# (b) the declarations type a strict consumer: no @types/node, no skipLibCheck.
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext", "strict": true,
  "noEmit": true, "types": [], "lib": ["es2022"] }, "files": ["src/consumer.ts"] }
JSON
"$root/node_modules/.bin/tsc" -p tsconfig.json
echo "consumer smoke: tsc --noEmit (strict) on src/consumer.ts passes"

# (c) the bin from the installed package, through npx, with no tsx anywhere.
[ ! -e node_modules/tsx ] || { echo "consumer smoke: tsx was installed into the consumer" >&2; exit 1; }
npx --no-install strata --help | grep -q '^Usage: strata <command>'
npx --no-install strata --version
# Without the optional runtimes, a command that needs one exits with a message naming the package to install.
printf 'ds,y\n2020-01-01,1\n2020-01-02,2\n2020-01-03,3\n' > series.csv
if out="$(npx --no-install strata forecast --csv series.csv --column y --horizon 1 --no-cache 2>&1)"; then
  echo "consumer smoke: strata forecast ran without node-llama-cpp installed: $out" >&2; exit 1
fi
grep -q "npm install node-llama-cpp@" <<<"$out" || { echo "consumer smoke: unclear error without node-llama-cpp: $out" >&2; exit 1; }
echo "consumer smoke: npx strata --help works; strata forecast without node-llama-cpp names the package to install"

if [ "${1:-}" = "--full" ]; then
  consumer "$work/full"
  npm_install node-llama-cpp@3.21.1 better-sqlite3@12.11.1
  echo "consumer smoke: install size with node-llama-cpp and better-sqlite3 $(( $(kib node_modules) / 1024 )) MiB ($(ls node_modules | wc -l) packages)"
  node src/consumer.mjs --full
fi
