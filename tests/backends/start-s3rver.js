#!/usr/bin/env node
// Launcher for the local S3-protocol test server (@20minutes/s3rver 5.0.0, patched by
// patches/@20minutes+s3rver+5.0.0.patch for conditional writes). The published package ships no
// bin/, so this calls its CLI module directly. Usage (from the repo root):
//
//   NODE_OPTIONS=--openssl-legacy-provider node tests/backends/start-s3rver.js \
//     -d DIR -a 127.0.0.1 -p PORT --configure-bucket NAME [--configure-bucket NAME2 ...] \
//     --allow-mismatched-signatures -s
//
// --openssl-legacy-provider: ListObjectsV2 continuation tokens use DES (500 without it).
// --allow-mismatched-signatures: the .NET SDK's bucket-level requests are otherwise refused (403).
// Credentials: access key S3RVER, secret S3RVER; with S3RVER_ACCESS_KEY_ID and S3RVER_SECRET_ACCESS_KEY
// set, that pair is accepted too (without --allow-mismatched-signatures, requests must be signed with it).
// Port 0 picks a free port; the chosen one is printed as "S3rver listening on ADDRESS:PORT" (printed even with -s).
'use strict'

const { S3RVER_ACCESS_KEY_ID: accessKeyId, S3RVER_SECRET_ACCESS_KEY: secretAccessKey } = process.env
if (accessKeyId && secretAccessKey) {
  require('@20minutes/s3rver/lib/models/account').DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey)
}

require('@20minutes/s3rver/lib/cli')
  .parseAsync(process.argv)
  .catch((err) => {
    console.error(`start-s3rver: ${err && err.message ? err.message : err}`)
    process.exit(1)
  })
