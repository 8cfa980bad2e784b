// What each function of a wasm module costs: the code section's body sizes, named by the
// module's "name" section (cargo keeps it in a release build; wasm-bindgen passes it on).
// Enough of the binary format for that and nothing more: imports (function indices start
// after the imported functions), code bodies, and the function-names subsection.

/** `{ codeBytes, nameSectionBytes, functions: [{ name, bytes }] }` of a wasm binary. */
export function wasmFunctions(bytes) {
  let at = 8; // magic and version
  const u32 = () => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[at++];
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return value >>> 0;
  };
  const name = () => {
    const len = u32();
    at += len;
    return bytes.subarray(at - len, at).toString();
  };
  const limits = () => {
    const hasMax = bytes[at++] & 1;
    u32();
    if (hasMax) u32();
  };
  let imported = 0;
  const sizes = [];
  const names = new Map();
  let nameSectionBytes = 0;
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = u32();
    const end = at + size;
    if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        name(); // module
        name(); // field
        const kind = bytes[at++];
        if (kind === 0) {
          u32(); // function: its type index
          imported++;
        } else if (kind === 1) {
          at++; // table: element type, limits
          limits();
        } else if (kind === 2)
          limits(); // memory
        else if (kind === 3)
          at += 2; // global: value type, mutability
        else if (kind === 4) {
          at++; // tag: attribute, type index
          u32();
        }
      }
    } else if (id === 10) {
      for (let n = u32(); n > 0; n--) {
        const body = u32();
        sizes.push(body);
        at += body;
      }
    } else if (id === 0 && name() === "name") {
      nameSectionBytes = size;
      while (at < end) {
        const sub = bytes[at++];
        const subEnd = u32() + at;
        if (sub === 1) for (let n = u32(); n > 0; n--) names.set(u32(), name());
        at = subEnd;
      }
    }
    at = end;
  }
  return {
    codeBytes: sizes.reduce((a, b) => a + b, 0),
    nameSectionBytes,
    functions: sizes.map((b, i) => ({ name: names.get(imported + i) ?? `#${imported + i}`, bytes: b })),
  };
}

/** Each `#[wasm_pmap::kernel]`'s entry (the function the macro generates, the kernel's body
 * inlined into it), by kernel name: its code bytes. Generic code it shares with other
 * kernels (CBOR for its types, the pipe) is not counted. */
export function kernelEntryBytes(bytes) {
  const out = {};
  for (const f of wasmFunctions(bytes).functions) {
    const m = /::__wasm_pmap_run_(\w+)::h[0-9a-f]+$/.exec(f.name);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + f.bytes;
  }
  return out;
}
