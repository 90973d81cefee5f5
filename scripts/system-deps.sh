#!/usr/bin/env bash
# The Debian packages the test suites need beyond Python and Node: Chromium (browser tests),
# LibreOffice Writer and poppler's pdftotext (Word exports rendered to PDF and read back), and
# the Arabic fonts those renderings use. `make test` runs this first.
#
# Each package is looked for by what the tests actually call (a command on PATH, a font
# fontconfig can see), so a second run, or a machine that has them from elsewhere, does
# nothing and prints nothing. Missing ones are installed when running as root; otherwise the
# script stops at once with the command to run.
set -euo pipefail

missing=()
# The browser tests take ILTIZAM_CHROMIUM first, then `chromium` on PATH.
if [ -n "${ILTIZAM_CHROMIUM:-}" ] && [ -x "${ILTIZAM_CHROMIUM}" ]; then
  :
elif ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
# Without fontconfig (fc-list) nothing could render these fonts either: count them missing;
# installing LibreOffice brings fontconfig.
fonts="$(fc-list : family 2>/dev/null || true)"
grep -qi "amiri" <<<"$fonts" || missing+=(fonts-hosny-amiri)
grep -qi "Noto Naskh Arabic" <<<"$fonts" || missing+=(fonts-noto-core)

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "The test suites need these Debian packages (or their equivalents): ${missing[*]}" >&2
    exit 1
  fi
  install=(apt-get install -y -q --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" -ne 0 ]; then
    echo "The test suites need Debian packages that are missing; install them with:" >&2
    echo "  sudo apt-get update && sudo ${install[*]}" >&2
    exit 1
  fi
  echo "installing Debian packages the test suites need: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${install[@]}"
fi

# Node.js is not installed here: which release to take (the project is developed on Node.js
# 20) is the machine owner's choice. Say so before `npm ci` fails with "command not found".
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "The editor and its tests need Node.js with npm, and \`$tool\` is not on PATH (the project is developed on Node.js 20)." >&2
    exit 1
  fi
done
