#!/bin/sh
# What the browser tests need from the system: Debian's chromium (headless, no
# download by npm), Node.js with npm (for package.json's pinned tools) and Java 17+
# (the Nu HTML Checker, and EPUBCheck's batch runner, started with Java's
# source launcher: it needs the jdk.compiler module, which Debian's JRE has).
# Installed with apt-get when running as root. Also TeX Live's pdflatex and
# BibTeX: a test typesets the web pages' .bib files with them. And Ghostscript:
# the conformance matrix measures each print PDF's total ink coverage with it.
set -eu

missing=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
command -v pdflatex >/dev/null 2>&1 && command -v bibtex >/dev/null 2>&1 || missing="$missing texlive-latex-base"
command -v gs >/dev/null 2>&1 || missing="$missing ghostscript"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing for the browser tests:$missing"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  exit 0
fi
echo "error: the browser tests need:$missing" >&2
echo "       Install them with: sudo apt-get install$missing" >&2
exit 1
