# Sourced by run.sh and test.sh: installs the Debian/Ubuntu packages the build needs when they
# are missing, checks for a Rust toolchain and for Node.js (the UI), and installs the UI's npm
# packages when ui/node_modules is missing or older than ui/package-lock.json.
# Defines `ensure_apt PKG...` for the scripts that need more (test.sh: the E2E packages).
export PATH="$HOME/.cargo/bin:$PATH"

# Install the given Debian packages that are not installed yet (one apt-get run, quiet).
ensure_apt() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Yihu needs these packages (Debian names): ${missing[*]}; install them and run again." >&2
    return 1
  fi
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The desktop build (Tauri 2 on WebKitGTK 4.1), the linker (mold, see .cargo/config.toml) and a
# CJK font (or Chinese shows as boxes).
ensure_apt build-essential pkg-config file mold libwebkit2gtk-4.1-dev libxdo-dev libssl-dev \
  libayatana-appindicator3-dev librsvg2-dev fonts-noto-cjk

if ! command -v cargo >/dev/null 2>&1; then
  echo "Yihu needs a Rust toolchain >= 1.95 (https://rustup.rs): curl https://sh.rustup.rs -sSf | sh" >&2
  exit 1
fi

# The UI (Svelte 5 + Vite 8) needs Node.js >= 20.19 with npm.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Yihu's UI needs Node.js >= 20.19 with npm (https://nodejs.org, or your distribution's nodejs and npm packages)." >&2
  exit 1
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "Yihu's UI needs Node.js >= 20.19; this is $(node --version)." >&2
  exit 1
fi
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "installing the UI's npm packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
