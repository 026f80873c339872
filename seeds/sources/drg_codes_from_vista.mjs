#!/usr/bin/env node
// Derives seeds/drg_codes.csv (the MS-DRG lists of grouper versions 25-28) from the VA VistA
// DRG file (#80.2) global export, `Packages/DRG Grouper/Globals/80.2+DRG.zwr` of WorldVistA/VistA-M.
//
//   git -C VistA-M show 7a34242b344b4b903b22952be608b547d5fcf03e:'Packages/DRG Grouper/Globals/80.2+DRG.zwr' > /tmp/80.2+DRG.zwr
//   node seeds/sources/drg_codes_from_vista.mjs /tmp/80.2+DRG.zwr > seeds/drg_codes.csv
//   node seeds/sources/drg_codes_from_vista.mjs /tmp/80.2+DRG.zwr --check 25 ms_drg_v25.csv --changes --weights > /dev/null
//
// Node 20, no dependencies. The seed loader reads only .csv files, so this file is not a seed.
// 7a34242b (2016-12-14) is the newest commit whose copy of the file the store holds (later ones,
// ICD*18.0*90-96 of 2018-2019, are over its 4 MiB limit); the 2011-12 FOIA copy (acaf5281) gives
// the same rows. Its notes (stderr) and --check/--changes reports are in seeds/properties.yml.
//
// How file 80.2 is read (semantics from the VistA DRG Grouper API $$DRG^ICDEXD5, "ICD Extractor -
// DRG APIs", and $$DRGDES^ICDEXD5 in the same repository):
// - ^ICD(ien,0): piece 1 is the DRG name "DRG<n>".
// - ^ICD(ien,66,k,0) = effective date ^ ^ status (.03: 1 active, 0 inactive) ^ ^ MDC (#5) ^
//   surgery flag (.06: 1 surgical, 0 medical). The entry in effect on a date is the one with the
//   latest effective date not after it (the "B" index $O(...,-1)).
// - ^ICD(ien,68,k,0) = effective date; ^ICD(ien,68,k,1,l,0) = the lines of the description
//   (title) in effect from that date, looked up the same way.
// - With two entries on the same date the one with the highest sub-entry number wins (as
//   $$DRGDES^ICDEXD5 and the status API ICDEXS do); the script lists such dates on stderr.
import { readFileSync } from 'node:fs';

/** The grouper versions a 2008-2010 claim can carry, by discharge date (CMS fiscal years). */
export const VERSIONS = [
  { version: 25, fileman: 3071001, from: '2007-10-01', to: '2008-09-30' },
  { version: 26, fileman: 3081001, from: '2008-10-01', to: '2009-09-30' },
  { version: 27, fileman: 3091001, from: '2009-10-01', to: '2010-09-30' },
  { version: 28, fileman: 3101001, from: '2010-10-01', to: '2011-09-30' },
];

/** Values DE-SynPUF carries in CLM_DRG_CD that are no DRG (kept so every code of the data is named). */
const JUNK = ['000', 'OTH'];

/** The first MS-DRG version: every MS-DRG was (re)activated on this date by patch ICD*18.0*31. */
const MS_DRG_START = 3071001;

/**
 * Titles of file 80.2 that the evidence says are wrong, replaced here (each applied only when the
 * source still reads `source`, so a corrected snapshot makes the script fail loudly rather than
 * silently keep an override). DRG 001/002 split on MCC in every MS-DRG version: CMS's FY2009
 * MS-LTC-DRG Table 11 (CMS-1390-F) and FY2017 Table 11 read "w MCC"/"w/o MCC", and file 80.2
 * itself reads W MCC / W/O MCC in its entries of 3071001-3091001 and 3111001 onwards; only its
 * 3101001 (FY2011, v28) entries read "W CC" / "W/O CC".
 */
export const CORRECTIONS = [
  { version: 28, drg: '001', source: 'HEART TRANSPLANT OR IMPLANT OF HEART ASSIST SYSTEM W CC', title: 'HEART TRANSPLANT OR IMPLANT OF HEART ASSIST SYSTEM W MCC' },
  { version: 28, drg: '002', source: 'HEART TRANSPLANT OR IMPLANT OF HEART ASSIST SYSTEM W/O CC', title: 'HEART TRANSPLANT OR IMPLANT OF HEART ASSIST SYSTEM W/O MCC' },
];

/** Reads a ZWR export line `^ICD(s1,s2,...)="value"` into subscripts and value. */
function parseZwrLine(line) {
  if (!line.startsWith('^ICD(')) return undefined;
  const subs = [];
  let i = 5;
  for (;;) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') { s += '"'; i += 2; } else if (line[i] === '"') { i++; break; } else s += line[i++];
      }
      subs.push(s);
    } else {
      const j = line.slice(i).search(/[,)]/);
      subs.push(line.slice(i, i + j));
      i += j;
    }
    if (line[i] === ',') { i++; continue; }
    if (line[i] === ')') { i++; break; }
    throw new Error(`cannot read subscripts: ${line}`);
  }
  if (line[i] !== '=') throw new Error(`no value: ${line}`);
  let value = line.slice(i + 1);
  if (value.startsWith('"')) {
    if (!value.endsWith('"')) throw new Error(`value is not one quoted string: ${line}`);
    value = value.slice(1, -1).replace(/""/g, '"');
  }
  return { subs, value };
}

/** DRG entries of the global: code, status history and title history. */
export function readGlobal(text) {
  const drgs = new Map();
  const entry = (ien) => {
    let e = drgs.get(ien);
    if (!e) drgs.set(ien, (e = { ien, name: undefined, node0: undefined, status: new Map(), titleDates: new Map(), titleLines: new Map(), weights: new Map() }));
    return e;
  };
  for (const line of text.split(/\r?\n/)) {
    const p = parseZwrLine(line);
    if (!p || !/^\d+$/.test(p.subs[0])) continue;
    const [ien, field, k, sub, l, last] = p.subs;
    const e = entry(Number(ien));
    if (field === '0' && p.subs.length === 2) { e.node0 = p.value; e.name = p.value.split('^')[0]; }
    else if (field === 'FY' && /^\d{7}$/.test(k) && sub === '0' && p.subs.length === 4) e.weights.set(Number(k), p.value.split('^')[1] ?? '');
    else if (field === '66' && /^\d+$/.test(k) && sub === '0' && p.subs.length === 4) e.status.set(Number(k), p.value.split('^'));
    else if (field === '68' && /^\d+$/.test(k) && sub === '0' && p.subs.length === 4) e.titleDates.set(Number(k), Number(p.value));
    else if (field === '68' && /^\d+$/.test(k) && sub === '1' && /^\d+$/.test(l) && last === '0' && p.subs.length === 6) {
      const lines = e.titleLines.get(Number(k)) ?? new Map();
      lines.set(Number(l), p.value);
      e.titleLines.set(Number(k), lines);
    }
  }
  return [...drgs.values()].filter((e) => e.name !== undefined);
}

/** The sub-entry in effect on a FileMan date: latest date not after it, highest number on a tie. */
function inEffect(entries, date, warn) {
  let best;
  for (const [k, d] of entries) {
    if (d > date) continue;
    if (!best || d > best.d || (d === best.d && k > best.k)) best = { k, d };
  }
  if (best) {
    const ties = [...entries].filter(([, d]) => d === best.d);
    if (ties.length > 1) warn(`${ties.length} entries dated ${best.d}; entry ${best.k} used`);
  }
  return best;
}

/** Each version's DRG rows, derived from the global. */
export function deriveVersions(drgs, warn = () => {}, corrections = CORRECTIONS) {
  const out = new Map();
  for (const v of VERSIONS) {
    const rows = [];
    for (const e of drgs) {
      const m = /^DRG(\d+)$/.exec(e.name);
      if (!m) { warn(`entry ${e.ien}: name ${e.name} is not DRG<n>; skipped`); continue; }
      const code = m[1].padStart(3, '0');
      const st = inEffect(new Map([...e.status].map(([k, p]) => [k, Number(p[0])])), v.fileman, (w) => warn(`DRG ${code} field 66 at v${v.version}: ${w}`));
      if (!st) continue;
      const p = e.status.get(st.k);
      if (p[2] !== '1') continue;
      if (st.d < MS_DRG_START) {
        // still active from the CMS-DRG era without an MS-DRG entry (e.g. DRG 119 in the 2011 snapshot)
        warn(`DRG ${code}: active in v${v.version} only by its ${st.d} entry (before the MS-DRGs); left out`);
        continue;
      }
      const t = inEffect(e.titleDates, v.fileman, (w) => warn(`DRG ${code} field 68 at v${v.version}: ${w}`));
      const lines = t ? e.titleLines.get(t.k) : undefined;
      if (!lines || lines.size === 0) throw new Error(`DRG ${code} is active in v${v.version} but has no title in effect`);
      let title = [...lines.keys()].sort((a, b) => a - b).map((l) => lines.get(l).trim()).join(' ');
      const fix = corrections.find((c) => c.version === v.version && c.drg === code);
      if (fix) {
        if (title !== fix.source) throw new Error(`DRG ${code} v${v.version}: the source reads "${title}", not "${fix.source}": review CORRECTIONS`);
        warn(`DRG ${code} v${v.version}: title "${title}" corrected to "${fix.title}" (see CORRECTIONS)`);
        title = fix.title;
      }
      const mdcRaw = p[4] ?? '';
      const flag = p[5] ?? '';
      rows.push({
        drg_code: code,
        // 98 = pre-MDC DRGs, 99 = DRGs of no MDC (981-989, 998, 999): CMS Table 5 prints no MDC for them
        mdc: mdcRaw === '98' || mdcRaw === '99' || mdcRaw === '' ? '' : mdcRaw.padStart(2, '0'),
        // CMS Table 5 gives 998 and 999 no type (the VA FY2008 table writes '**'); file 80.2 flags them medical
        drg_type: code === '998' || code === '999' ? '' : flag === '1' ? 'P' : flag === '0' ? 'M' : '?',
        drg_description: title,
      });
    }
    rows.sort((a, b) => a.drg_code.localeCompare(b.drg_code));
    out.set(v.version, rows);
  }
  return out;
}

const csvField = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function toCsv(versions) {
  const lines = ['drg_code,grouper_version,effective_from,effective_to,mdc,drg_type,drg_description,is_valid_drg'];
  const all = [];
  for (const v of VERSIONS) {
    for (const r of versions.get(v.version)) all.push([r.drg_code, v, r.mdc, r.drg_type, r.drg_description, 'true']);
    for (const j of JUNK) all.push([j, v, '', '', `INVALID DRG CODE IN THE SOURCE (${j})`, 'false']);
  }
  all.sort((a, b) => a[0].localeCompare(b[0]) || a[1].version - b[1].version);
  for (const [code, v, mdc, type, title, valid] of all) lines.push([code, String(v.version), v.from, v.to, mdc, type, title, valid].map(csvField).join(','));
  return lines.join('\n') + '\n';
}

/** Minimal CSV reader (quoted fields, doubled quotes). */
export function readCsv(text) {
  const rows = [];
  let row = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') q = false; else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') { if (c === '\r' && text[i + 1] === '\n') i++; row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}

/**
 * Differences between a derived version and a reference list: a CSV with drg_code and title (or
 * drg_description) and optionally mdc and type (or drg_type), or lines "NNN - TITLE". Only the
 * columns the reference has are compared; codes are compared both ways, unless the reference is
 * a subset of the version (--check-subset: derived codes it lacks are not differences).
 */
export function compare(derived, referenceText, { subset = false } = {}) {
  const lines = referenceText.split(/\r?\n/).filter((l) => l.trim() !== '');
  const reference = /^\d{3} - /.test(lines[0] ?? '')
    ? lines.map((l) => ({ drg_code: l.slice(0, 3), title: l.slice(6).trim() }))
    : readCsv(referenceText);
  const ref = new Map(reference.map((r) => [r.drg_code, { mdc: r.mdc, type: r.type ?? r.drg_type, title: r.title ?? r.drg_description }]));
  const got = new Map(derived.map((r) => [r.drg_code, r]));
  const diffs = [];
  for (const code of ref.keys()) if (!got.has(code)) diffs.push(`${code}: in the reference, not derived`);
  for (const [code, r] of got) {
    const x = ref.get(code);
    if (!x) { if (!subset) diffs.push(`${code}: derived, not in the reference`); continue; }
    if (x.mdc !== undefined && x.mdc !== r.mdc) diffs.push(`${code}: mdc ${x.mdc} (reference) vs ${r.mdc}`);
    if (x.type !== undefined && x.type !== r.drg_type) diffs.push(`${code}: type ${x.type} (reference) vs ${r.drg_type}`);
    if (x.title !== r.drg_description) diffs.push(`${code}: title "${x.title}" (reference) vs "${r.drg_description}"`);
  }
  return diffs;
}

/**
 * A second field of file 80.2 kept apart from the status entries: the relative weights of each
 * fiscal year (field 20, node "FY", keyed YYY0000 by fiscal year: 3090000 = FY2009 = v26). Lists,
 * per version, the active DRGs without a weight for its fiscal year and the weighted ones not active.
 */
export function weightDifferences(drgs, versions) {
  const out = [];
  for (const v of VERSIONS) {
    const fy = Math.floor(v.fileman / 10000) * 10000 + 10000;
    const weighted = new Set(drgs.filter((e) => /^DRG\d+$/.test(e.name) && Number(e.weights.get(fy) || 0) > 0).map((e) => e.name.slice(3).padStart(3, '0')));
    const active = new Set(versions.get(v.version).map((r) => r.drg_code));
    const a = [...active].filter((c) => !weighted.has(c)).sort();
    const w = [...weighted].filter((c) => !active.has(c)).sort();
    out.push(`v${v.version} (FY weights ${fy}): ${active.size} active, ${weighted.size} weighted; active without weight: ${a.join(' ') || '-'}; weighted, not active: ${w.join(' ') || '-'}`);
  }
  return out;
}

/** What changed from one version to the next. */
export function changes(versions) {
  const out = [];
  for (let i = 1; i < VERSIONS.length; i++) {
    const a = new Map(versions.get(VERSIONS[i - 1].version).map((r) => [r.drg_code, r]));
    const b = new Map(versions.get(VERSIONS[i].version).map((r) => [r.drg_code, r]));
    const tag = `v${VERSIONS[i - 1].version} -> v${VERSIONS[i].version}`;
    for (const [c, r] of b) if (!a.has(c)) out.push(`${tag}: added ${c} ${r.mdc}/${r.drg_type} ${r.drg_description}`);
    for (const [c, r] of a) if (!b.has(c)) out.push(`${tag}: removed ${c} ${r.drg_description}`);
    for (const [c, r] of b) {
      const x = a.get(c);
      if (!x) continue;
      if (x.mdc !== r.mdc || x.drg_type !== r.drg_type) out.push(`${tag}: ${c} mdc/type ${x.mdc}/${x.drg_type} -> ${r.mdc}/${r.drg_type}`);
      if (x.drg_description !== r.drg_description) out.push(`${tag}: ${c} title "${x.drg_description}" -> "${r.drg_description}"`);
    }
  }
  return out;
}

function main(argv) {
  const args = [...argv];
  const file = args.shift();
  if (!file || file.startsWith('--')) {
    process.stderr.write('usage: node seeds/sources/drg_codes_from_vista.mjs <80.2+DRG.zwr> [--check|--check-subset <version> <reference>]... [--changes] [--weights] > drg_codes.csv\n');
    process.exit(2);
  }
  const warnings = [];
  const drgs = readGlobal(readFileSync(file, 'latin1'));
  const versions = deriveVersions(drgs, (w) => warnings.push(w));
  for (const w of warnings) process.stderr.write(`note: ${w}\n`);
  for (const v of VERSIONS) {
    const rows = versions.get(v.version);
    const n = (t) => rows.filter((r) => r.drg_type === t).length;
    process.stderr.write(`v${v.version} (${v.from}..${v.to}): ${rows.length} DRGs, ${n('P')} P, ${n('M')} M, ${n('')} no type, ${n('?')} unknown type\n`);
  }
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--check' || args[i] === '--check-subset') {
      const subset = args[i] === '--check-subset';
      const version = Number(args[++i]);
      const refFile = args[++i];
      if (!versions.has(version) || !refFile) throw new Error('--check takes a grouper version (25-28) and a reference file');
      const diffs = compare(versions.get(version), readFileSync(refFile, 'utf8'), { subset });
      process.stderr.write(`v${version} against ${refFile}: ${diffs.length} differences\n${diffs.map((d) => `  ${d}\n`).join('')}`);
      if (diffs.length) process.exitCode = 1;
    } else if (args[i] === '--weights') {
      process.stderr.write(weightDifferences(drgs, versions).map((c) => `${c}\n`).join(''));
    } else if (args[i] === '--changes') {
      process.stderr.write(changes(versions).map((c) => `${c}\n`).join(''));
    } else throw new Error(`unknown argument ${args[i]}`);
  }
  process.stdout.write(toCsv(versions));
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
