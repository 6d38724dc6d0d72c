// Builds the same test app on Express 5 and Express 4, so middleware tests run on both majors.
import express5, { type Express } from 'express';
import express4 from 'express4';

/** One Express major under test. */
export interface ExpressFlavour {
  /** "express5" or "express4": use in test titles. */
  readonly name: 'express5' | 'express4';
  /** Creates an app of this major. */
  readonly create: () => Express;
  /** JSON body parser of this major. */
  readonly json: typeof express5.json;
  /** URL-encoded body parser of this major. */
  readonly urlencoded: typeof express5.urlencoded;
  /** Static file middleware (serve-static) of this major. */
  readonly static: typeof express5.static;
  /** Router factory of this major. */
  readonly Router: typeof express5.Router;
}

/** Express 5 (the main target) and Express 4 (compatibility). Use with `describe.each(expressFlavours)`. */
export const expressFlavours: readonly ExpressFlavour[] = [
  {
    name: 'express5',
    create: () => express5(),
    json: express5.json,
    urlencoded: express5.urlencoded,
    static: express5.static,
    Router: express5.Router,
  },
  {
    name: 'express4',
    create: () => express4(),
    json: express4.json,
    urlencoded: express4.urlencoded,
    static: express4.static,
    Router: express4.Router,
  },
];

/** Builds an app on the given major, letting `setup` add middleware and routes. */
export function buildApp(flavour: ExpressFlavour, setup: (app: Express) => void): Express {
  const app = flavour.create();
  app.disable('x-powered-by');
  setup(app);
  return app;
}
