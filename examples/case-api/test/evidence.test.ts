// Evidence attachments (issue 24): upload, list and download through the real app on SQLite and PostgreSQL.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseRecord } from '../src/domain.js';
import { testDatabases } from './db.js';
import { startHarness, type Harness } from './harness.js';

const BOUNDARY = 'caseApiEvidenceBoundary9f2';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63f8cfc0000003010100c9fe92ef0000000049454e44ae426082',
  'hex',
);

interface Part {
  name: string;
  filename: string;
  contentType: string;
  body: Buffer | string;
}

/** A multipart/form-data body written byte for byte. */
function multipart(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.contentType}\r\n\r\n`,
      ),
      typeof p.body === 'string' ? Buffer.from(p.body) : p.body,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

const pdfPart = (filename = 'report.pdf'): Part => ({
  name: 'evidence',
  filename,
  contentType: 'application/pdf',
  body: PDF,
});
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Actor {
  readonly label: string;
  readonly roles: string[];
  readonly assigned: 'self' | 'other' | 'none';
}
// The policy of the issue written out again (not read from src): the case's assigned reviewer, senior reviewers
// and admins of the tenant; a case the caller cannot see is 404.
const ACTORS: (Actor & { expected: 'ok' | 403 | 404 })[] = [
  { label: 'reviewer (assigned)', roles: ['reviewer'], assigned: 'self', expected: 'ok' },
  { label: 'reviewer (unassigned case)', roles: ['reviewer'], assigned: 'none', expected: 403 },
  { label: "reviewer (another reviewer's case)", roles: ['reviewer'], assigned: 'other', expected: 404 },
  { label: 'senior_reviewer (not assigned)', roles: ['senior_reviewer'], assigned: 'other', expected: 'ok' },
  { label: 'admin', roles: ['admin'], assigned: 'other', expected: 'ok' },
  { label: 'unknown role', roles: ['auditor'], assigned: 'none', expected: 404 },
];

describe.each(testDatabases)('evidence on $name', (database) => {
  let h: Harness;
  let admin: string;
  let theCase: CaseRecord;

  beforeAll(async () => {
    h = await startHarness(database);
    admin = await h.token('admin-1', 't1', ['admin']);
    theCase = await h.seed('t1', { status: 'IN_REVIEW', assignedReviewerId: 'rev-1' });
  });
  afterAll(async () => {
    await h.close();
    await database.cleanup();
  });

  const stored = async (): Promise<string[]> =>
    (await readdir(h.evidenceDir)).filter((n) => n !== '.quarantine').sort();
  const quarantined = async (): Promise<string[]> => readdir(join(h.evidenceDir, '.quarantine'));
  const upload = (caseId: string, token: string, parts: Part[]) =>
    request(h.server)
      .post(`/cases/${caseId}/evidence`)
      .set(auth(token))
      .set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`)
      .send(multipart(parts));

  it('stores a PDF and a PNG under generated names, lists them and writes an audit event each', async () => {
    const res = await upload(theCase.id, admin, [
      pdfPart('Bericht März.pdf'),
      { name: 'evidence', filename: 'photo.png', contentType: 'image/png', body: PNG },
    ]);
    expect(res.status).toBe(201);
    const items = res.body.items as { id: string; clientName: string; size: number; mime: string; sha256: string }[];
    expect(items.map((i) => [i.clientName, i.size, i.mime, i.sha256])).toEqual([
      ['Bericht März.pdf', PDF.length, 'application/pdf', sha(PDF)],
      ['photo.png', PNG.length, 'image/png', sha(PNG)],
    ]);
    expect(await stored()).toEqual([`${items[0]!.id}.pdf`, `${items[1]!.id}.png`].sort());
    for (const name of await stored()) expect((await stat(join(h.evidenceDir, name))).mode & 0o777).toBe(0o600);
    const list = await request(h.server).get(`/cases/${theCase.id}/evidence`).set(auth(admin));
    expect(list.status).toBe(200);
    // One upload, one timestamp: the list orders them by id, so compare as sets.
    const byId = (x: { id: string }, y: { id: string }): number => x.id.localeCompare(y.id);
    expect([...(list.body.items as { id: string }[])].sort(byId)).toEqual([...items].sort(byId));
    expect(Object.keys((list.body.items as Record<string, unknown>[])[0]!).sort()).toEqual([
      'at',
      'clientName',
      'id',
      'mime',
      'sha256',
      'size',
      'uploadedBy',
    ]);
    const audit = await request(h.server).get(`/cases/${theCase.id}/audit`).set(auth(admin));
    const events = audit.body.items as { action: string }[];
    expect(events.filter((e) => e.action === 'UPLOAD_EVIDENCE')).toHaveLength(2);
  });

  it('downloads evidence as a sandboxed attachment of its sniffed type and audits the download', async () => {
    const list = await request(h.server).get(`/cases/${theCase.id}/evidence`).set(auth(admin));
    const pdf = (list.body.items as { id: string; mime: string }[]).find((i) => i.mime === 'application/pdf')!;
    const res = await request(h.server)
      .get(`/cases/${theCase.id}/evidence/${pdf.id}`)
      .set(auth(admin))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          cb(null, Buffer.concat(chunks));
        });
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="Bericht M_rz.pdf"; filename*=UTF-8''Bericht%20M%C3%A4rz.pdf`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect((res.body as Buffer).equals(PDF)).toBe(true);
    const audit = await request(h.server).get(`/cases/${theCase.id}/audit`).set(auth(admin));
    const downloads = (audit.body.items as { action: string; reason: string }[]).filter(
      (e) => e.action === 'DOWNLOAD_EVIDENCE',
    );
    expect(downloads).toHaveLength(1);
    expect(downloads[0]!.reason).toBe(`evidence ${pdf.id}`);
  });

  describe('refused uploads store nothing [ASVS V5.2.2]', () => {
    const refusals: [string, () => Part[], number, string][] = [
      [
        'HTML disguised as a PDF',
        () => [{ ...pdfPart(), body: '<html><script>alert(1)</script></html>' }],
        415,
        'upload_type',
      ],
      [
        'a GIF (not an evidence type)',
        () => [
          {
            name: 'evidence',
            filename: 'a.gif',
            contentType: 'image/gif',
            body: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'),
          },
        ],
        415,
        'upload_type',
      ],
      ['a PDF named .html', () => [pdfPart('report.pdf.html')], 415, 'upload_type_mismatch'],
      ['six files', () => Array.from({ length: 6 }, (_, i) => pdfPart(`${i}.pdf`)), 413, 'upload_too_many'],
      ['another field', () => [{ ...pdfPart(), name: 'attachment' }], 400, 'upload_unexpected_field'],
      [
        'a PDF over 10 MiB',
        () => [{ ...pdfPart(), body: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024, 0x20)]) }],
        413,
        'upload_too_large',
      ],
    ];
    it.each(refusals)('refuses %s', async (_t, parts, status, code) => {
      const before = await stored();
      const res = await upload(theCase.id, admin, parts());
      expect(res.status).toBe(status);
      expect(res.body.code).toBe(code);
      expect(await stored()).toEqual(before);
      expect(await quarantined()).toEqual([]);
    });

    it('refuses a body without a file with 422', async () => {
      const res = await request(h.server)
        .post(`/cases/${theCase.id}/evidence`)
        .set(auth(admin))
        .set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`)
        .send(Buffer.from(`--${BOUNDARY}--\r\n`));
      expect(res.status).toBe(422);
      expect(res.body.errors[0].pointer).toBe('/evidence');
    });

    it('refuses an unauthenticated upload with 401 before reading it', async () => {
      const before = await stored();
      const res = await request(h.server)
        .post(`/cases/${theCase.id}/evidence`)
        .set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`)
        .send(multipart([pdfPart()]));
      expect(res.status).toBe(401);
      expect(await stored()).toEqual(before);
    });
  });

  describe('policy matrix [ASVS V8.2.1]', () => {
    it.each(ACTORS)('$label: upload, list and download → $expected', async (actor) => {
      const sub = `actor-${actor.label.replace(/\W+/g, '-')}`;
      const token = await h.token(sub, 't1', actor.roles);
      const assigned = actor.assigned === 'self' ? sub : actor.assigned === 'other' ? 'someone-else' : null;
      const c = await h.seed('t1', { status: 'IN_REVIEW', assignedReviewerId: assigned });
      const seededUpload = await upload(c.id, admin, [pdfPart()]);
      expect(seededUpload.status).toBe(201);
      const evidenceId = seededUpload.body.items[0].id as string;
      const before = await stored();
      const up = await upload(c.id, token, [pdfPart('mine.pdf')]);
      const list = await request(h.server).get(`/cases/${c.id}/evidence`).set(auth(token));
      const down = await request(h.server).get(`/cases/${c.id}/evidence/${evidenceId}`).set(auth(token));
      if (actor.expected === 'ok') {
        expect([up.status, list.status, down.status]).toEqual([201, 200, 200]);
        expect(await stored()).toHaveLength(before.length + 1);
      } else {
        const code = actor.expected === 403 ? 'forbidden' : 'not_found';
        for (const res of [up, list, down]) {
          expect(res.status).toBe(actor.expected);
          expect(res.body.code).toBe(code);
        }
        expect(await stored()).toEqual(before);
      }
    });

    it("another tenant's admin gets 404 for upload, list and download, and nothing is stored", async () => {
      const other = await h.token('admin-2', 't2', ['admin']);
      const list = await request(h.server).get(`/cases/${theCase.id}/evidence`).set(auth(admin));
      const id = list.body.items[0].id as string;
      const before = await stored();
      const up = await upload(theCase.id, other, [pdfPart()]);
      const otherList = await request(h.server).get(`/cases/${theCase.id}/evidence`).set(auth(other));
      const down = await request(h.server).get(`/cases/${theCase.id}/evidence/${id}`).set(auth(other));
      for (const res of [up, otherList, down]) {
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      expect(await stored()).toEqual(before);
    });
  });

  it.each([
    ['an unknown evidence id', () => 'a'.repeat(26)],
    ['a malformed evidence id', () => '..%2F..%2Fetc%2Fpasswd'],
    ['a stored file name instead of an id', () => 'x.pdf'],
  ])('answers 404 for %s', async (_t, id) => {
    const res = await request(h.server).get(`/cases/${theCase.id}/evidence/${id()}`).set(auth(admin));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });

  it("answers 404 for another case's evidence id", async () => {
    const list = await request(h.server).get(`/cases/${theCase.id}/evidence`).set(auth(admin));
    const id = list.body.items[0].id as string;
    const other = await h.seed('t1');
    const res = await request(h.server).get(`/cases/${other.id}/evidence/${id}`).set(auth(admin));
    expect(res.status).toBe(404);
  });
});
