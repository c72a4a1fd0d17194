// The vendored measurements (tests/validation/<profile>/runs.jsonl) and the split (tests/validation/SPLIT.md):
// reading them, and refusing every row that lacks what a like-with-like comparison needs. Format:
// tests/validation/README.md. Node 20, standard library only.

import fs from 'node:fs';
import path from 'node:path';

// Folders of tests/validation/ that hold runs.jsonl files for this generator. vllm/ is the H100 campaign, read by
// tools/validate/validate_vllm.cpp instead (tests/validation/README.md).
export const PROFILE_DIRS = ['llama.cpp', 'transformers', 'diffusers', 'vllm-other'];

// Bytes per unit as printed (a token count is its own unit). GB/MB are decimal; a source that divides by 1024**3 and prints "GB" is vendored with
// unit "GiB" and unit_printed "GB" (each folder's README says which sources do).
export const UNIT_BYTES = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, kB: 1e3, MB: 1e6, GB: 1e9, tokens: 1 };

// A runs.jsonl line longer than this is not a measurement row (a pasted log): refuse it rather than parse it.
const MAX_LINE_CHARS = 20000;

const ROLES = ['calibrate', 'judge'];
const COMMIT = /^[0-9a-f]{40}$/;

function isNonEmptyString(v) {
  return typeof v === 'string' && v.trim().length > 0;
}

// True when the printed text carries the number: 164.01 in "=   164.01 MiB", 1024 in "1024.00 MiB".
export function quotedCarriesValue(quoted, value) {
  if (typeof quoted !== 'string' || typeof value !== 'number' || !Number.isFinite(value)) return false;
  // Thousands separators as vLLM prints token counts: "157,936 tokens".
  quoted = quoted.replace(/(\d),(?=\d{3}(\D|$))/g, '$1');
  for (let digits = 0; digits <= 15; digits++) {
    const s = value.toFixed(digits);
    // Not part of a longer number on either side: 164.01 is not in "1164.01" nor in "164.012", 164 not in "164.02".
    const re = new RegExp(`(^|[^0-9.])${s.replace('.', '\\.')}(?![0-9]|\\.[0-9])`);
    if (re.test(quoted)) return true;
  }
  return false;
}

// Every problem of one row, as messages that name the field; an empty list means the row is usable.
export function rowProblems(row, profileDir) {
  const p = [];
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return ['the line is not a JSON object'];
  if (!isNonEmptyString(row.id)) p.push('"id" is missing or empty');
  else if (!/^[A-Za-z0-9._-]+$/.test(row.id)) p.push(`"id" "${row.id}" has characters other than letters, digits, ".", "_" and "-"`);
  const expectedProfile = profileDir === 'vllm-other' ? 'vllm' : profileDir;
  if (row.profile !== expectedProfile) p.push(`"profile" is ${JSON.stringify(row.profile)}, expected "${expectedProfile}" in ${profileDir}/`);
  if (!ROLES.includes(row.role)) p.push(`"role" is ${JSON.stringify(row.role)}, expected "calibrate" or "judge"`);
  if (!isNonEmptyString(row.family)) p.push('"family" is missing or empty');
  if (!isNonEmptyString(row.model_in_run)) p.push('"model_in_run" is missing or empty');
  const s = row.source;
  if (!s || !isNonEmptyString(s.repo) || !isNonEmptyString(s.path)) p.push('"source" needs "repo" and "path"');
  else if (!COMMIT.test(String(s.commit))) p.push(`"source.commit" ${JSON.stringify(s.commit)} is not a 40-hex commit`);
  if (!isNonEmptyString(row.source_url) || !/^https:\/\//.test(row.source_url)) p.push('"source_url" must be an https URL');
  else if (s && COMMIT.test(String(s.commit)) && !row.source_url.includes(s.commit)) p.push('"source_url" does not name "source.commit"');
  if (row.fixture === null || row.fixture === undefined) {
    if (!isNonEmptyString(row.fixture_missing)) p.push('"fixture" is null but "fixture_missing" does not say why');
  } else if (!isNonEmptyString(row.fixture.repo)) p.push('"fixture.repo" is missing');
  if (!row.settings || typeof row.settings !== 'object') p.push('"settings" is missing');
  if (!Array.isArray(row.quoted) || row.quoted.length === 0 || !row.quoted.every(isNonEmptyString)) p.push('"quoted" must be a non-empty list of the exact lines');
  if (!Array.isArray(row.measured) || row.measured.length === 0) p.push('"measured" must be a non-empty list');
  else {
    row.measured.forEach((m, i) => {
      const at = `measured[${i}]`;
      if (!isNonEmptyString(m?.quantity)) p.push(`${at}.quantity is missing`);
      if (typeof m?.value !== 'number' || !Number.isFinite(m.value) || m.value < 0) p.push(`${at}.value ${JSON.stringify(m?.value)} is not a non-negative number`);
      if (!isNonEmptyString(m?.unit)) p.push(`${at}.unit is missing`);
      if (!isNonEmptyString(m?.quoted)) p.push(`${at}.quoted is missing`);
      else if (typeof m.value === 'number' && !quotedCarriesValue(m.quoted, m.value)) p.push(`${at}.quoted does not show the value ${m.value}: ${JSON.stringify(m.quoted)}`);
      if (m?.compare === false && !isNonEmptyString(m.why_not)) p.push(`${at}.compare is false but "why_not" is empty`);
      if (m && 'miss_reason' in m && !isNonEmptyString(m.miss_reason)) p.push(`${at}.miss_reason is set but empty`);
    });
  }
  return p;
}

// Reads tests/validation/<dir>/runs.jsonl for every profile folder. Returns { rows, errors }; each row gains
// `_file` and `_line` for messages.
export function loadRows(validationDir) {
  const rows = [];
  const errors = [];
  const ids = new Map();
  for (const dir of PROFILE_DIRS) {
    const file = path.join(validationDir, dir, 'runs.jsonl');
    const rel = path.join('tests/validation', dir, 'runs.jsonl');
    if (!fs.existsSync(file)) {
      errors.push(`${rel}: missing (every profile folder holds a runs.jsonl, empty when it has no runs yet)`);
      continue;
    }
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${rel} line ${i + 1}`;
      if (line.length > MAX_LINE_CHARS) {
        errors.push(`${where}: ${line.length} characters, over the ${MAX_LINE_CHARS}-character limit of one row`);
        return;
      }
      let row;
      try {
        row = JSON.parse(line);
      } catch (e) {
        errors.push(`${where}: not JSON (${e.message})`);
        return;
      }
      const problems = rowProblems(row, dir);
      if (problems.length) {
        errors.push(...problems.map((m) => `${where}${row?.id ? ` (${row.id})` : ''}: ${m}`));
        return;
      }
      if (ids.has(row.id)) {
        errors.push(`${where}: id "${row.id}" already used at ${ids.get(row.id)}`);
        return;
      }
      ids.set(row.id, where);
      rows.push({ ...row, _file: rel, _line: i + 1 });
    });
  }
  return { rows, errors };
}

// The split as SPLIT.md states it: the rows of its table "| profile | family | role | ... |". Returns
// { split: Map("profile\tfamily" → role), errors }.
export function loadSplit(splitFile) {
  const errors = [];
  const split = new Map();
  if (!fs.existsSync(splitFile)) return { split, errors: [`${splitFile}: missing`] };
  const lines = fs.readFileSync(splitFile, 'utf8').split('\n');
  let inTable = false;
  lines.forEach((line, i) => {
    const cells = line.trim().startsWith('|') ? line.trim().slice(1, -1).split('|').map((c) => c.trim()) : null;
    if (!cells) {
      inTable = false;
      return;
    }
    if (cells[0] === 'profile' && cells[1] === 'family' && cells[2] === 'role') {
      inTable = true;
      return;
    }
    if (!inTable || /^-+$/.test(cells[0].replace(/:/g, ''))) return;
    const [profile, family, role] = cells.map((c) => c.replace(/`/g, ''));
    if (!ROLES.includes(role)) {
      errors.push(`SPLIT.md line ${i + 1}: role "${role}" is neither calibrate nor judge`);
      return;
    }
    const key = `${profile}\t${family}`;
    if (split.has(key)) errors.push(`SPLIT.md line ${i + 1}: ${profile} / ${family} is listed twice`);
    split.set(key, role);
  });
  if (split.size === 0) errors.push('SPLIT.md: no "| profile | family | role |" table found');
  return { split, errors };
}

// Rows whose role disagrees with SPLIT.md, or whose family SPLIT.md does not place.
export function splitProblems(rows, split) {
  const out = [];
  for (const r of rows) {
    const want = split.get(`${r.profile}\t${r.family}`);
    if (!want) out.push(`${r._file} line ${r._line} (${r.id}): family "${r.family}" of profile ${r.profile} is not in SPLIT.md`);
    else if (want !== r.role) out.push(`${r._file} line ${r._line} (${r.id}): role "${r.role}" but SPLIT.md makes ${r.profile} / ${r.family} "${want}"`);
  }
  return out;
}
