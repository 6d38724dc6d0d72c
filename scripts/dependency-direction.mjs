// Dependency direction of DESIGN §2: which @portcullis/* packages each package may depend on at run time.

const ERRORS = '@portcullis/errors';

/** Library packages on the request path (what baseline may compose). */
const REQUEST_PATH = [
  '@portcullis/errors',
  '@portcullis/logging',
  '@portcullis/config',
  '@portcullis/auth',
  '@portcullis/policy',
  '@portcullis/paths',
  '@portcullis/cors',
  '@portcullis/ratelimit',
  '@portcullis/secrets',
  '@portcullis/egress',
  '@portcullis/upload',
];

/**
 * The allowed table: package → the @portcullis/* packages it may list in dependencies,
 * peerDependencies or optionalDependencies. errors is the leaf; every other package may use it
 * (including its ./options module); upload may also use paths; baseline composes the request-path
 * packages; dev tools depend on nothing of ours at run time. No package may depend on baseline or
 * on an example. A package missing from the table is refused until the table (and DESIGN §2) says
 * where it stands.
 */
export const ALLOWED_DEPENDENCIES = Object.freeze({
  '@portcullis/errors': [],
  '@portcullis/logging': [ERRORS],
  '@portcullis/config': [ERRORS],
  '@portcullis/auth': [ERRORS],
  '@portcullis/policy': [ERRORS],
  '@portcullis/paths': [ERRORS],
  '@portcullis/cors': [ERRORS],
  '@portcullis/ratelimit': [ERRORS],
  '@portcullis/secrets': [ERRORS],
  '@portcullis/egress': [ERRORS],
  '@portcullis/upload': [ERRORS, '@portcullis/paths'],
  '@portcullis/baseline': REQUEST_PATH,
  '@portcullis/eslint-plugin': [],
  '@portcullis/supply-chain': [],
  '@portcullis/testkit': [],
  '@portcullis/asvs': [],
});

const RUNTIME_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * Every edge of `manifests` that the table does not allow, as a message naming the edge.
 * @param {readonly { name: string, [field: string]: unknown }[]} manifests package.json contents
 * @returns {string[]} one line per offending edge; empty when the direction holds
 */
export function dependencyDirectionProblems(manifests) {
  const problems = [];
  for (const manifest of manifests) {
    const name = manifest.name;
    const allowed = Object.hasOwn(ALLOWED_DEPENDENCIES, name) ? ALLOWED_DEPENDENCIES[name] : undefined;
    for (const field of RUNTIME_FIELDS) {
      const deps = manifest[field];
      if (typeof deps !== 'object' || deps === null) continue;
      for (const dep of Object.keys(deps)) {
        if (!dep.startsWith('@portcullis/')) continue;
        if (allowed === undefined) {
          problems.push(`${name} -> ${dep} (${field}): ${name} is not in the dependency table of DESIGN §2`);
        } else if (!allowed.includes(dep)) {
          const may = allowed.length === 0 ? 'nothing of ours' : allowed.join(', ');
          problems.push(`${name} -> ${dep} (${field}) is not allowed: ${name} may depend on ${may} (DESIGN §2)`);
        }
      }
    }
  }
  return problems;
}
