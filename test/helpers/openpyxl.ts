// An independent reader for the xlsx files Latchkey writes: Debian's
// python3 with openpyxl, run on a file; and, for the evidence workbook, the
// canonical CSV of each sheet recomputed from openpyxl's cell values in
// Python (docs/evidence.md), so a hash check does not trust our own reader.
import { spawnSync } from 'node:child_process';

export const PY = '/usr/bin/python3';

/** Runs a python snippet (sys, json, openpyxl imported) with arguments; returns its JSON output. */
export function py<T>(script: string, ...args: string[]): T {
  const r = spawnSync(PY, ['-c', `import sys, json, openpyxl\n${script}`, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const CANONICAL_PY = `
import hashlib, re, datetime
EPOCH = datetime.datetime(1970, 1, 1)
def num(v):
    if isinstance(v, int): return str(v)
    if v == int(v) and abs(v) < 2**53: return str(int(v))
    return re.sub(r'e([+-])0*(\\d+)', lambda m: 'e' + m.group(1) + m.group(2), repr(v))
def field(v):
    if v is None: return ''
    if isinstance(v, bool): return 'true' if v else 'false'
    if isinstance(v, datetime.datetime):
        ms = round((v - EPOCH).total_seconds() * 1000)
        d = EPOCH + datetime.timedelta(milliseconds=ms)
        return d.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (d.microsecond // 1000)
    if isinstance(v, (int, float)): return num(v)
    return str(v)
def line(fs):
    return ','.join('"' + f.replace('"', '""') + '"' if re.search(r'[",\\n]', f) else f for f in fs) + '\\n'
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
out = {'sheetnames': wb.sheetnames, 'sheets': {}}
for s in json.loads(sys.argv[2]):
    h = hashlib.sha256()
    n = 0
    width = s['width']
    for k, name in enumerate(s['worksheets']):
        for i, row in enumerate(wb[name].iter_rows(values_only=True)):
            fs = [field(x) for x in row][:width]
            fs += [''] * (width - len(fs))
            if i == 0:
                if k == 0: h.update(line(fs).encode('utf-8'))
                continue
            h.update(line(fs).encode('utf-8'))
            n += 1
    out['sheets'][s['name']] = {'rows': n, 'sha256': h.hexdigest()}
print(json.dumps(out))
`;

/** Each named sheet's row count and canonical-CSV SHA-256 as openpyxl reads the workbook, and the workbook's sheet names in order. */
export function openpyxlSheetHashes(file: string, sheets: { name: string; worksheets: string[]; width: number }[]): { sheetnames: string[]; sheets: Record<string, { rows: number; sha256: string }> } {
  return py(CANONICAL_PY, file, JSON.stringify(sheets));
}
