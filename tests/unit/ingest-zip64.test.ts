/**
 * The NPPES monthly file is a ~1 GB ZIP holding a ~10 GB CSV, so its sizes only fit ZIP64 fields.
 * A multi-gigabyte fixture is out of the question; instead the archives here are written byte by
 * byte with ZIP64 records (as Python's zipfile writes them with force_zip64), both with the sizes
 * in the local header's extra field and with a data descriptor after the data (streamed writers).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { extractCsvFromZip } from '../../src/ingest/zip.js';

const u16 = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** One stored (uncompressed) entry with ZIP64 sizes everywhere. */
function zip64(name: string, data: Buffer, withDescriptor: boolean): Buffer {
  const fname = Buffer.from(name);
  const crc = crc32(data);
  const flags = withDescriptor ? 0x0008 : 0;
  // Local header: 32-bit sizes are 0xFFFFFFFF, the real ones in the ZIP64 extra field (zero when a descriptor follows).
  const localExtra = Buffer.concat([u16(0x0001), u16(16), u64(withDescriptor ? 0 : data.length), u64(withDescriptor ? 0 : data.length)]);
  const local = Buffer.concat([u32(0x04034b50), u16(45), u16(flags), u16(0), u16(0), u16(0), u32(withDescriptor ? 0 : crc), u32(0xffffffff), u32(0xffffffff), u16(fname.length), u16(localExtra.length), fname, localExtra]);
  const descriptor = withDescriptor ? Buffer.concat([u32(0x08074b50), u32(crc), u64(data.length), u64(data.length)]) : Buffer.alloc(0);
  const cdOffset = local.length + data.length + descriptor.length;
  const cdExtra = Buffer.concat([u16(0x0001), u16(24), u64(data.length), u64(data.length), u64(0)]);
  const central = Buffer.concat([u32(0x02014b50), u16(45), u16(45), u16(flags), u16(0), u16(0), u16(0), u32(crc), u32(0xffffffff), u32(0xffffffff), u16(fname.length), u16(cdExtra.length), u16(0), u16(0), u16(0), u32(0), u32(0xffffffff), fname, cdExtra]);
  const eocd64Offset = cdOffset + central.length;
  const eocd64 = Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(1), u64(1), u64(central.length), u64(cdOffset)]);
  const locator = Buffer.concat([u32(0x07064b50), u32(0), u64(eocd64Offset), u32(1)]);
  const eocd = Buffer.concat([u32(0x06054b50), u16(0xffff), u16(0xffff), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(0)]);
  return Buffer.concat([local, data, descriptor, central, eocd64, locator, eocd]);
}

describe('ZIP64 archives (the NPPES file)', () => {
  const csv = Buffer.from('"NPI","Entity Type Code"\n' + '"1234567893","1"\n'.repeat(500));
  test.each([
    ['sizes in the local header', false],
    ['sizes in a data descriptor', true],
  ])('extracts and scans the CSV with %s', async (_what, withDescriptor) => {
    const dir = mkdtempSync(join(tmpdir(), 'mflow-zip64-'));
    const zip = join(dir, 'NPPES_Data_Dissemination_March_2025.zip');
    writeFileSync(zip, zip64('npidata_pfile_20050523-20250309.csv', csv, withDescriptor));
    const r = await extractCsvFromZip(zip, join(dir, 'npidata.csv'));
    expect(r.innerName).toBe('npidata_pfile_20050523-20250309.csv');
    expect(r.scan.lines).toBe(501);
    expect(r.scan.bytes).toBe(csv.length);
    expect(readFileSync(join(dir, 'npidata.csv')).equals(csv)).toBe(true);
  });
});
