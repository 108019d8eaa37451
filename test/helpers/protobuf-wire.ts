/** The protobuf wire format, enough to write OTLP requests and gRPC status details by hand. */
export const varint = (n: number): Buffer => {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
};

/** a length-delimited field (bytes, string, message) */
export const bytesField = (field: number, value: Buffer): Buffer => Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);

/** a varint field (int, enum, bool) */
export const varintField = (field: number, value: number): Buffer => Buffer.concat([varint(field << 3), varint(value)]);

/** a fixed64 field (fixed64, e.g. a span's timestamps) */
export const fixed64Field = (field: number, value: bigint): Buffer => {
  const b = Buffer.alloc(9);
  b[0] = (field << 3) | 1;
  b.writeBigUInt64LE(value, 1);
  return b;
};
