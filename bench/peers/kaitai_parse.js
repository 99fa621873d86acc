#!/usr/bin/env node
// Peer: the parser the official Kaitai Struct compiler generates from spec/xe_sriov_migration.ksy
// (JavaScript, kaitai-struct 0.11 runtime), used exactly as the conformance oracle uses it
// (tests/XeStreamKit.Differential.Tests/kaitai/oracle.js): the file is read into memory with fs.readFileSync and parsed
// eagerly. Prints one JSON line: packets per type, bytes, and the time of each phase.
//
//   node bench/peers/kaitai_parse.js <spec.ksy> <stream>
//
// The compiler and runtime are the versions pinned by tests/XeStreamKit.Differential.Tests/kaitai/package-lock.json,
// installed by `dotnet build` of that test project (or `npm ci` in its kaitai/ folder).
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");

const kaitaiDir = path.join(__dirname, "..", "..", "tests", "XeStreamKit.Differential.Tests", "kaitai");
const requireKaitai = Module.createRequire(path.join(kaitaiDir, "package.json"));
const yaml = requireKaitai("js-yaml");
const ksc = requireKaitai("kaitai-struct-compiler");
const KaitaiStream = requireKaitai("kaitai-struct/KaitaiStream");

async function main([specPath, streamPath]) {
  if (!specPath || !streamPath) throw new Error("usage: node kaitai_parse.js <spec.ksy> <stream>");
  const t0 = process.hrtime.bigint();
  const files = await ksc.compile("javascript", yaml.load(fs.readFileSync(specPath, "utf8")), { importYaml: () => Promise.reject(new Error("no imports")) }, false);
  const [[name, source]] = Object.entries(files);
  const filename = path.join(kaitaiDir, "generated", name);
  const m = new Module(filename, module);
  m.filename = filename;
  m.paths = Module._nodeModulePaths(kaitaiDir);
  m._compile(source, filename);
  const Parser = Object.values(m.exports)[0];
  const t1 = process.hrtime.bigint();
  const bytes = fs.readFileSync(streamPath);
  const t2 = process.hrtime.bigint();
  const root = new Parser(new KaitaiStream(bytes));
  const t3 = process.hrtime.bigint();
  const types = {};
  let payloadBytes = 0;
  for (const p of root.packets) {
    const t = (Parser.PacketType[p.header.type] || `type${p.header.type}`).toLowerCase();
    types[t] = (types[t] || 0) + 1;
    payloadBytes += p.header.size;
  }
  const ms = (a, b) => Number(b - a) / 1e6;
  console.log(JSON.stringify({ packets: root.packets.length, types, fileBytes: bytes.length, payloadBytes, compileMs: ms(t0, t1), readMs: ms(t1, t2), parseMs: ms(t2, t3) }));
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    console.error(`kaitai_parse: ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
