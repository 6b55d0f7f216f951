#!/usr/bin/env node
// A `solc` executable for py-solc-x, backed by the npm package `solc` (the official compiler
// built to WebAssembly, pinned in package.json). It answers the two calls py-solc-x makes:
// `--version` and `--standard-json` (input on stdin), with --base-path / --include-path /
// --allow-paths resolving imports such as "@openzeppelin/contracts/...".
"use strict";
const fs = require("fs");
const path = require("path");

const repo = path.resolve(__dirname, "..");
const solc = require(require.resolve("solc", { paths: [repo] }));

const argv = process.argv.slice(2);
if (argv.includes("--version")) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}
if (!argv.includes("--standard-json")) {
  process.stderr.write("solc-shim: only --version and --standard-json are supported\n");
  process.exit(2);
}

const roots = [];
for (let i = 0; i < argv.length; i++) {
  if (["--base-path", "--include-path", "--allow-paths"].includes(argv[i]) && argv[i + 1]) {
    roots.push(...argv[i + 1].split(","));
    i++;
  }
}
roots.push(process.cwd(), path.join(repo, "node_modules"));

function findImports(importPath) {
  for (const root of roots) {
    const candidate = path.resolve(root, importPath);
    if (fs.existsSync(candidate)) {
      return { contents: fs.readFileSync(candidate, "utf8") };
    }
  }
  return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
}

const input = fs.readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImports }));
