#!/bin/sh
# Check the system libraries WeasyPrint needs; install them when running as root.
# Pango/HarfBuzz are required. libharfbuzz-subset0 is optional but makes PDF
# writing about 3x faster, so it is installed whenever we can.
# Print PDFs (CMYK, PDF/X-4) need the FOGRA39 output profile, made once by
# Argyll's colprof (package argyll) from Debian's icc-profiles-free data.
set -eu

# A library by soname, a command (@name) or a file (an absolute path).
has_lib() {
  case "$1" in
    @*) command -v "${1#@}" >/dev/null 2>&1 ;;
    /*) [ -e "$1" ] ;;
    *) ldconfig -p 2>/dev/null | grep -q "$1" ;;
  esac
}

required="libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 libharfbuzz.so.0:libharfbuzz0b libfontconfig.so.1:libfontconfig1 @colprof:argyll /usr/share/color/icc/FOGRA39L.ti3:icc-profiles-free"
optional="libharfbuzz-subset.so.0:libharfbuzz-subset0"

missing=""
for pair in $required $optional; do
  has_lib "${pair%%:*}" || missing="$missing ${pair#*:}"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system libraries:$missing"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  exit 0
fi

for pair in $required; do
  if ! has_lib "${pair%%:*}"; then
    echo "error: missing system libraries. Install them with: sudo apt-get install$missing" >&2
    exit 1
  fi
done
echo "note: libharfbuzz-subset0 is not installed; PDFs are written about 3x slower." >&2
echo "      Install it with: sudo apt-get install libharfbuzz-subset0" >&2
