#!/bin/sh
# Runs the extension's unit tests with node's own test runner (node 20+, no npm).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec node --test "$here"/
