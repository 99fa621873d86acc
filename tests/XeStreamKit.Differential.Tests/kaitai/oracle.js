#!/usr/bin/env node
// The independent oracle for spec/xe_sriov_migration.ksy: the official Kaitai Struct compiler
// (npm kaitai-struct-compiler, pinned in package-lock.json) and its JavaScript runtime.
//
//   node oracle.js compile <spec.ksy> <lang>...   compile to each target; print "<lang> <file> <bytes>"
//   node oracle.js parse <spec.ksy> <stream>...   parse each stream with the generated JS parser;
//                                                 print one JSON document per stream, one per line
//
// Exit status: 0 ok, 1 compile or parse failure (message on stderr).
// u8 fields come back from the JS runtime as doubles (exact only up to 2^53), so they are
// printed as JSON numbers and compared by the C# side at double precision.
"use strict";
const fs = require("fs");
const path = require("path");
const Module = require("module");
const yaml = require("js-yaml");
const ksc = require("kaitai-struct-compiler");
const KaitaiStream = require("kaitai-struct/KaitaiStream");

const importer = {
  importYaml: (name) => Promise.reject(new Error(`imports are not used by this spec (asked for ${name})`)),
};

async function compile(specPath, lang) {
  const spec = yaml.load(fs.readFileSync(specPath, "utf8"));
  return ksc.compile(lang, spec, importer, false);
}

function loadParser(files) {
  const entries = Object.entries(files);
  if (entries.length !== 1) throw new Error(`expected one generated JS file, got ${entries.length}`);
  const [name, source] = entries[0];
  const filename = path.join(__dirname, "generated", name);
  const m = new Module(filename, module);
  m.filename = filename;
  m.paths = Module._nodeModulePaths(__dirname);
  m._compile(source, filename);
  const exported = Object.values(m.exports)[0];
  if (typeof exported !== "function") throw new Error(`${name} exports no parser`);
  return exported;
}

function enumName(table, value) {
  const name = table[value];
  return typeof name === "string" ? name.toLowerCase() : "unknown";
}

function dwords(bytes) {
  const out = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 4 <= bytes.byteLength; i += 4) out.push(view.getUint32(i, true));
  return out;
}

function describe(Parser, root) {
  return root.packets.map((p, index) => {
    const h = p.header;
    const packet = {
      index,
      version: h.version,
      type: enumName(Parser.PacketType, h.type),
      typeId: h.type,
      tileId: h.tileId,
      gtId: h.gtId,
      flags: h.flags,
      offset: h.offset,
      size: h.size,
    };
    const payload = p.payload;
    if (payload instanceof Uint8Array) {
      packet.payloadBytes = payload.byteLength;
    } else if (h.type === Parser.PacketType.DESCRIPTOR) {
      packet.klvs = payload.klvs.map((k) => ({ key: k.header.key, len: k.header.len, value: dwords(k.value) }));
    } else if (h.type === Parser.PacketType.GGTT) {
      packet.ptes = payload.ptes;
    } else if (h.type === Parser.PacketType.MMIO) {
      packet.registers = payload.registers;
    }
    return packet;
  });
}

async function main(argv) {
  const [verb, specPath, ...rest] = argv;
  if (verb === "compile" && specPath && rest.length > 0) {
    for (const lang of rest) {
      const files = await compile(specPath, lang);
      for (const [name, source] of Object.entries(files)) console.log(`${lang} ${name} ${source.length}`);
    }
    return 0;
  }
  if (verb === "parse" && specPath && rest.length > 0) {
    const files = await compile(specPath, "javascript");
    const Parser = loadParser(files);
    for (const streamPath of rest) {
      const bytes = fs.readFileSync(streamPath);
      const root = new Parser(new KaitaiStream(bytes));
      console.log(JSON.stringify({ file: streamPath, packets: describe(Parser, root) }));
    }
    return 0;
  }
  console.error("usage: node oracle.js compile <spec.ksy> <lang>... | parse <spec.ksy> <stream>...");
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`oracle: ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
