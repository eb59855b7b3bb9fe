# What `make test` (scripts/test) changes outside the checkout, announced and put back, and what it checks there.
# Sourced by scripts/test (and by tests/unit/test_make_test.py); expects ROOT (the checkout), WORK (a directory of
# the run, removed at its end), TEMP_DIR (the temporary directory) and a function die.

STUBS=()  # what install_pip_stub wrote: "FILE BACKUP" (BACKUP "-": there was no FILE), "DIR/" for a directory it made
restore_pip_stubs() {
  local i entry file backup
  for ((i = ${#STUBS[@]} - 1; i >= 0; i--)); do
    entry=${STUBS[i]}
    if [ "${entry: -1}" = / ]; then rmdir "$entry/__pycache__" "$entry" 2>/dev/null || true; continue; fi
    file=${entry% *} backup=${entry##* }
    if [ "$backup" = - ]; then rm -f "$file"; else cp -p "$backup" "$file"; fi
    file=${file%.py}
    rm -f "${file%/*}/__pycache__/${file##*/}".cpython-*.pyc  # ansible-test imports the script
  done
  [ ${#STUBS[@]} -eq 0 ] || echo "ansible-test's pip bootstrap in $HOME/.ansible/test/cache put back as it was"
}

install_pip_stub() {  # ansible-test downloads a pip bootstrap script from a host CI cannot reach
  local venv=$1 at pipv cache target dir
  at=$("$venv/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
  # the first pip='x.y' is the default version (older lines also list overrides for Python 2.7 and 3.6)
  pipv=$(grep -oP "pip='\K[0-9.]+" "$at/_internal/python_requirements.py" | head -1)
  [ -n "$pipv" ] || die "cannot tell which pip version ansible-test bootstraps"
  # ansible-test reads the script from ~/.ansible/test/cache, whatever ANSIBLE_HOME says
  cache=$HOME/.ansible/test/cache
  target=$cache/get_pip_${pipv//./_}.py
  cmp -s "$ROOT/.ci/get_pip_stub.py" "$target" && return 0
  echo "NOTE: writing ansible-test's pip bootstrap $target (the stub .ci/get_pip_stub.py); put back at exit"
  for dir in "$HOME/.ansible" "$HOME/.ansible/test" "$cache"; do
    [ -d "$dir" ] || { mkdir "$dir"; STUBS+=("$dir/"); }
  done
  if [ -e "$target" ]; then
    cp -p "$target" "$WORK/pip-bootstrap-${#STUBS[@]}"
    STUBS+=("$target $WORK/pip-bootstrap-${#STUBS[@]}")
  else
    STUBS+=("$target -")
  fi
  cp "$ROOT/.ci/get_pip_stub.py" "$target"
}

temp_entries() {  # the entries of the temporary directory that this collection's tests and simulator make
  (cd "$TEMP_DIR" && ls -1d ecesim-* ece-remote-clusters-* 2>/dev/null | sort) || true
}

install_graphviz_if_asked() {  # Graphviz's dot, for the audit picture test: installed only when asked
  command -v dot >/dev/null 2>&1 && return 0
  # no Python package provides a dot that renders PNG and SVG (the role calls dot): Graphviz comes from the system
  if [ "${ECE_RC_INSTALL_GRAPHVIZ:-}" = 1 ] || [ "${CI:-}" = true ]; then
    echo "NOTE: installing Graphviz for the audit picture test (apt-get install graphviz: ECE_RC_INSTALL_GRAPHVIZ=1 or CI=true)"
    command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] || die "installing Graphviz needs apt-get and root: install the package graphviz"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; } || die "apt-get install graphviz"
  else
    echo "NOTE: Graphviz's dot is not installed: the audit picture test will be skipped. Install the package graphviz, or"
    echo "      run ECE_RC_INSTALL_GRAPHVIZ=1 make test to have it installed (apt-get, as root)."
  fi
}
