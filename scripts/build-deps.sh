# Sourced by run.sh and test.sh: installs the Debian/Ubuntu packages the build needs when they
# are missing, and checks that a Rust toolchain is on PATH.
export PATH="$HOME/.cargo/bin:$PATH"
need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "Yihu needs a Rust toolchain >= 1.95 (https://rustup.rs): curl https://sh.rustup.rs -sSf | sh" >&2
  exit 1
fi
