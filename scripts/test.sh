#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (redis-server, the patched local S3
# server); the test fixtures start those servers themselves on free loopback ports.
# Point the fixtures at existing servers instead with PROOFSTORAGE_TEST_S3_ENDPOINT(_2) / PROOFSTORAGE_TEST_REDIS.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-test-deps.sh
dotnet build ProofStorage.sln -c Release -warnaserror
dotnet test ProofStorage.sln -c Release --no-build --logger "console;verbosity=normal" "$@"
