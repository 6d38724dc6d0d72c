// The evidence routes (issue 24): multipart upload through @portcullis/upload, list, download as a sandboxed attachment.
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { NotFoundError } from '@portcullis/errors';
import { sendStoredFile, uploadGuard } from '@portcullis/upload';
import { isEvidenceId, type EvidenceService } from './evidence.js';
import { principalOf } from './principal.js';
import { isCaseId } from './validation.js';

/** Largest evidence file, in bytes. */
export const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024;
/** Most evidence files per request. */
export const EVIDENCE_MAX_FILES = 5;
/** Types an evidence file may have (sniffed, never the client's claim). */
export const EVIDENCE_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;

function caseIdOf(req: Request): string {
  const id = req.params['id'];
  if (!isCaseId(id)) throw new NotFoundError('case id is not a UUID');
  return id;
}

const requestIdOf = (req: Request): string | undefined => (typeof req.id === 'string' ? req.id : undefined);

/**
 * Builds the evidence router. `evidenceDir` must exist with mode 0700 (uploadGuard refuses anything else at start).
 * Authentication has already run; authorization runs before the upload body is read.
 */
export function evidenceRoutes(service: EvidenceService, evidenceDir: string): Router {
  const guard = uploadGuard({
    dir: evidenceDir,
    fields: { evidence: { types: [...EVIDENCE_TYPES], maxBytes: EVIDENCE_MAX_BYTES, maxFiles: EVIDENCE_MAX_FILES } },
    maxFields: 0,
  });
  const router = express.Router();

  router.post(
    '/cases/:id/evidence',
    async function authorizeEvidenceUpload(req: Request, _res: Response, next) {
      await service.authorizeUpload(principalOf(req), caseIdOf(req));
      next();
    },
    guard.middleware(),
    async function recordEvidence(req: Request, res: Response) {
      const items = await service.recordUploads(principalOf(req), caseIdOf(req), req.uploads ?? [], requestIdOf(req));
      res.status(201).json({ items });
    },
  );

  router.get('/cases/:id/evidence', async function listEvidence(req: Request, res: Response) {
    res.json({ items: await service.list(principalOf(req), caseIdOf(req)) });
  });

  router.get('/cases/:id/evidence/:evidenceId', async function downloadEvidence(req: Request, res: Response) {
    const caseId = caseIdOf(req);
    const evidenceId = req.params['evidenceId'];
    if (!isEvidenceId(evidenceId)) throw new NotFoundError('not an evidence id');
    const record = await service.authorizeDownload(principalOf(req), caseId, evidenceId, requestIdOf(req));
    await sendStoredFile(
      res,
      { path: path.join(evidenceDir, record.storedName), mime: record.mime },
      {
        filename: record.clientName,
      },
    );
  });

  return router;
}
