// The case API's routes: parse and validate input, call the service with the principal, shape the output.
import express, { type Request, type Response, type Router } from 'express';
import { NotFoundError, UnsupportedMediaTypeError } from '@portcullis/errors';
import { sendSafeFile } from '@portcullis/paths';
import type { AuditEvent } from './domain.js';
import { principalOf } from './principal.js';
import type { CaseService } from './service.js';
import {
  createCaseBody,
  encodeCursor,
  isCaseId,
  isExportName,
  noteBody,
  parseIdempotencyKey,
  parseImport,
  parseListQuery,
  transitionBody,
} from './validation.js';

/** Largest CSV import body; beyond → 413. */
export const IMPORT_LIMIT = '1mb';

function caseIdOf(req: Request): string {
  const id = req.params['id'];
  // Not a UUID → cannot be a case: the same 404 as an unknown or invisible case.
  if (!isCaseId(id)) throw new NotFoundError('case id is not a UUID');
  return id;
}

const auditView = (e: AuditEvent) => ({
  actor: e.actor,
  action: e.action,
  from: e.from,
  to: e.to,
  reason: e.reason,
  requestId: e.requestId,
  at: e.at,
});

/** Builds the router. Authentication has already run for every route mounted here. */
export function caseRoutes(service: CaseService, exportsDir: string): Router {
  const router = express.Router();
  const downloadExport = sendSafeFile(exportsDir, {
    allowedExtensions: ['.csv'],
    contentTypes: { '.csv': 'text/csv; charset=utf-8' },
  });

  router.get('/cases', async function listCases(req: Request, res: Response) {
    const principal = principalOf(req);
    const page = parseListQuery(req.query);
    const result = await service.listCases(principal, page);
    res.json({ items: result.items, nextCursor: result.next === null ? null : encodeCursor(result.next) });
  });

  router.post('/cases', async function createCase(req: Request, res: Response) {
    const principal = principalOf(req);
    const input = createCaseBody.parse(req.body);
    const created = await service.createCase(principal, input);
    res.status(201).json(created);
  });

  // Registered before /cases/:id so "import" is never taken for an id.
  router.post(
    '/cases/import',
    function requireCsv(req, _res, next) {
      // The baseline lets text/csv through on this route only; JSON (or anything else) is refused here.
      if (req.is('text/csv') !== 'text/csv') {
        next(new UnsupportedMediaTypeError('import needs text/csv', { detail: 'Send the import as text/csv.' }));
        return;
      }
      next();
    },
    // Raw bytes: parseCsvStrict decodes them with a fatal UTF-8 decoder (express.text would replace bad bytes).
    express.raw({ type: 'text/csv', limit: IMPORT_LIMIT }),
    async function importCases(req: Request, res: Response) {
      const principal = principalOf(req);
      const body: unknown = req.body;
      const rows = parseImport(body instanceof Uint8Array ? body : new Uint8Array(0));
      const created = await service.importCases(principal, rows);
      res.status(201).json({ created });
    },
  );

  router.get('/cases/:id', async function getCase(req: Request, res: Response) {
    const principal = principalOf(req);
    res.json(await service.getCase(principal, caseIdOf(req)));
  });

  router.post('/cases/:id/transitions', async function transition(req: Request, res: Response) {
    const principal = principalOf(req);
    const id = caseIdOf(req);
    const idempotencyKey = parseIdempotencyKey(req.get('Idempotency-Key'));
    const input = transitionBody.parse(req.body);
    const result = await service.transition(principal, id, input, {
      idempotencyKey,
      requestId: typeof req.id === 'string' ? req.id : undefined,
    });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status).type('application/json').send(result.body);
  });

  router.get('/cases/:id/audit', async function audit(req: Request, res: Response) {
    const principal = principalOf(req);
    const events = await service.listAudit(principal, caseIdOf(req));
    res.json({ items: events.map(auditView) });
  });

  router.post('/cases/:id/notes', async function addNote(req: Request, res: Response) {
    const principal = principalOf(req);
    const id = caseIdOf(req);
    const input = noteBody.parse(req.body);
    res.status(201).json(await service.addNote(principal, id, input.body));
  });

  router.post('/exports', async function createExport(req: Request, res: Response) {
    const principal = principalOf(req);
    const record = await service.createExport(principal);
    res.status(201).json({ name: record.name });
  });

  router.get('/exports/:name', async function getExport(req: Request, res: Response, next) {
    const principal = principalOf(req);
    const name = req.params['name'];
    // Only generated names can exist; then the tenant's own export record must exist (a parameterised
    // lookup) before @portcullis/paths resolves, opens and streams the file.
    if (!isExportName(name)) throw new NotFoundError('not an export name');
    await service.authorizeExportDownload(principal, name);
    downloadExport(req, res, next);
  });

  return router;
}
