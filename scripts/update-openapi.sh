#!/usr/bin/env bash
# Regenerates the committed OpenAPI contract and everything generated from it, after an endpoint changed:
#   1. builds the service, which writes the document to src/ProofStorage.Api/obj/openapi/proofstorage.json
#      (Microsoft.Extensions.ApiDescription.Server runs the app's host at build time);
#   2. copies it to openapi/proofstorage.v1.json (the committed contract the drift test compares with);
#   3. regenerates the TypeScript client's types (clients/typescript/src/generated) with openapi-typescript;
#   4. lints the document with Redocly CLI (0 errors, 0 warnings expected).
# Commit the changed files. Installs the npm tools first when missing (scripts/install-test-deps.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

configuration="${CONFIGURATION:-Release}"
dotnet build src/ProofStorage.Api -c "$configuration" -warnaserror
cp src/ProofStorage.Api/obj/openapi/proofstorage.json openapi/proofstorage.v1.json
echo "update-openapi: wrote openapi/proofstorage.v1.json"

[[ -d openapi/node_modules && -d clients/typescript/node_modules ]] || bash scripts/install-test-deps.sh
(cd clients/typescript && npm run --silent generate)
echo "update-openapi: regenerated clients/typescript/src/generated/proofstorage.v1.ts"
(cd openapi && npm run --silent lint)
