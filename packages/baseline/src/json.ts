// jsonBody and requireJson: a strict JSON body parser (size, depth, duplicates, prototype keys) and a content-type guard.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Request, type Response } from 'express';
import { checkBodyLimit } from '@portcullis/config';
import { BadRequestError, UnsupportedMediaTypeError } from '@portcullis/errors';
import { scanJson } from './json-scan.js';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { compileRoute, matchRoute, pathnameOf, type RouteSpec } from './routes.js';
import type { BaselineErrorCode } from './errors.js';

type Next = (err?: unknown) => void;

/** Options of jsonBody(). */
export interface JsonBodyOptions {
  /**
   * Largest accepted body: a whole number of bytes or a size string such as "100kb" (units b/kb/mb, at most
   * 10mb) — the grammar and bound of BODY_LIMIT, checked by the same `checkBodyLimit` of @portcullis/config.
   * Beyond it: 413. @default "100kb"
   */
  limit?: number | string | undefined;
  /** Accept objects with repeated keys (the last one wins, as in JSON.parse). @default false */
  allowDuplicateKeys?: boolean | undefined;
  /** Deepest nesting of objects and arrays accepted. @default 32 */
  maxDepth?: number | undefined;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/** True when the Content-Type names a charset other than UTF-8 (RFC 8259 §8.1: JSON is UTF-8). */
function hasForeignCharset(contentType: string): boolean {
  const params = contentType.split(';');
  for (let i = 1; i < params.length; i++) {
    const param = (params[i] ?? '').trim().toLowerCase();
    if (!param.startsWith('charset')) continue;
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"|"$/g, '');
    if (value !== 'utf-8' && value !== 'utf8') return true;
  }
  return false;
}

function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type === 'application/json') return true;
  return type.startsWith('application/') && type.endsWith('+json') && !type.includes(' ');
}

function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

const JSON_BODY_KEYS: OptionKeys<JsonBodyOptions> = { limit: true, allowDuplicateKeys: true, maxDepth: true };

/**
 * Strict JSON body parser: objects and arrays only, size limit (413), no `__proto__`/`prototype`
 * keys at any depth (400 prototype_pollution), no duplicate keys (400 duplicate_key), a depth limit
 * (400 too_deep), UTF-8 only (415). Leaves non-JSON bodies alone for requireJson() to judge.
 */
export function jsonBody(options?: JsonBodyOptions) {
  const given = checkOptions('baseline', options, JSON_BODY_KEYS);
  const limitValue = given['limit'] ?? '100kb';
  // One grammar, one bound: the check BODY_LIMIT is parsed with, so a config value is always accepted here.
  const limitVerdict = checkBodyLimit(limitValue);
  if (!limitVerdict.ok)
    throw optionError(
      'baseline',
      'limit',
      limitVerdict.problem,
      'see the options table of the @portcullis/baseline README',
      limitValue,
    );
  const limit = limitVerdict.bytes;
  const allowDuplicateKeys = given['allowDuplicateKeys'] ?? false;
  if (typeof allowDuplicateKeys !== 'boolean')
    throw optionError(
      'baseline',
      'allowDuplicateKeys',
      `must be a boolean`,
      'see the options table of the @portcullis/baseline README',
      allowDuplicateKeys,
    );
  const maxDepth = given['maxDepth'] ?? 32;
  if (typeof maxDepth !== 'number' || !Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 1000) {
    throw optionError(
      'baseline',
      'maxDepth',
      `must be an integer from 1 to 1000`,
      'see the options table of the @portcullis/baseline README',
      maxDepth,
    );
  }
  // body-parser's text reader gives us size limits, Content-Length checks and decompression
  // limits; the JSON itself is checked here before JSON.parse sees it.
  const readText = express.text({ type: JSON_TYPES, limit: limit, defaultCharset: 'utf-8' });

  return function jsonBodyMiddleware(req: Request, res: Response, next: Next): void {
    const contentType = req.headers['content-type'];
    if (!isJsonType(contentType) || !hasBody(req)) {
      next();
      return;
    }
    // RFC 8259 §8.1: JSON exchanged between systems is UTF-8.
    if (contentType !== undefined && hasForeignCharset(contentType)) {
      next(
        new UnsupportedMediaTypeError<BaselineErrorCode>('JSON must be UTF-8', {
          detail: 'JSON bodies must be encoded in UTF-8.',
        }),
      );
      return;
    }
    readText(req, res, (err?: unknown) => {
      if (err !== undefined && err !== null) {
        next(err);
        return;
      }
      const text: unknown = req.body;
      if (typeof text !== 'string') {
        req.body = undefined;
        next();
        return;
      }
      const first = text.trimStart().charCodeAt(0);
      if (first !== 123 && first !== 91) {
        req.body = undefined;
        next(
          new BadRequestError<BaselineErrorCode>('JSON body must be an object or an array', {
            detail: 'The JSON body must be an object or an array.',
          }),
        );
        return;
      }
      const finding = scanJson(text, maxDepth, allowDuplicateKeys);
      if (finding !== null) {
        req.body = undefined;
        next(
          new BadRequestError<BaselineErrorCode>(`JSON body rejected: ${finding}`, {
            code: finding,
            detail: DETAILS[finding],
          }),
        );
        return;
      }
      try {
        req.body = JSON.parse(text) as unknown;
      } catch {
        req.body = undefined;
        next(
          new BadRequestError<BaselineErrorCode>('Malformed JSON body', {
            detail: 'The request body could not be parsed.',
          }),
        );
        return;
      }
      next();
    });
  };
}

const DETAILS = {
  prototype_pollution: 'The JSON body contains a forbidden key (__proto__ or prototype).',
  duplicate_key: 'The JSON body repeats a key within one object.',
  too_deep: 'The JSON body is nested too deeply.',
} as const;

/** A route that accepts a body other than JSON. */
export interface BodyTypeRoute extends RouteSpec {
  /** Media types accepted on this route, e.g. ["text/csv"]. */
  types: string[];
}

/** Options of requireJson(). */
export interface RequireJsonOptions {
  /** Routes that declared another body type. @default [] */
  allow?: BodyTypeRoute[] | undefined;
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

const REQUIRE_JSON_KEYS: OptionKeys<RequireJsonOptions> = { allow: true };

/**
 * 415 for a POST/PUT/PATCH/DELETE whose body is not JSON — unless the route declared another
 * type in `allow`. Stops form posts and text/plain "simple requests" from reaching JSON handlers.
 */
export function requireJson(options?: RequireJsonOptions) {
  const given = checkOptions('baseline', options, REQUIRE_JSON_KEYS);
  const allowSpec = given['allow'] ?? [];
  if (!Array.isArray(allowSpec))
    throw optionError(
      'baseline',
      'allow',
      `must be an array of { method, path, types }`,
      'see the options table of the @portcullis/baseline README',
      allowSpec,
    );
  const allowed = allowSpec.map((spec: unknown) => {
    const route = compileRoute('requireJson', 'allow', spec);
    const types = (spec as { types?: unknown }).types;
    if (
      !Array.isArray(types) ||
      types.length === 0 ||
      !types.every((t) => typeof t === 'string' && MEDIA_TYPE.test(t.toLowerCase()))
    ) {
      throw optionError(
        'baseline',
        'allow',
        `entry ${route.method} ${route.path} needs "types", a non-empty array of media types like "text/csv"`,
        'see the options table of the @portcullis/baseline README',
      );
    }
    return { route, types: new Set((types as string[]).map((t) => t.toLowerCase())) };
  });

  return function requireJsonMiddleware(req: IncomingMessage, _res: ServerResponse, next: Next): void {
    if (req.method === undefined || !UNSAFE_METHODS.has(req.method) || !hasBody(req)) {
      next();
      return;
    }
    const contentType = req.headers['content-type'];
    if (isJsonType(contentType)) {
      next();
      return;
    }
    if (allowed.length > 0) {
      const type = mediaType(contentType);
      const pathname = pathnameOf(req.url);
      for (const { route, types } of allowed) {
        if (types.has(type) && matchRoute(route, req.method, pathname)) {
          next();
          return;
        }
      }
    }
    next(
      new UnsupportedMediaTypeError<BaselineErrorCode>('Body is not JSON', {
        detail: 'Send the body as application/json.',
      }),
    );
  };
}
