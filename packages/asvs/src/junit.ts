// Reading JUnit XML (vitest's junit reporter, `node --test --test-reporter=junit`, Jest's jest-junit) into test records.
import type { TestRecord } from './evidence.js';
import { idsFromTitle } from './tags.js';

interface Element {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: Element[];
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

const ATTR = /([A-Za-z_:][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g;

/** A small non-validating XML element parser: elements and attributes only (text, comments, CDATA and PIs skipped). */
export function parseXml(xml: string): Element {
  const root: Element = { name: '#root', attrs: {}, children: [] };
  const stack: Element[] = [root];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      i = end === -1 ? xml.length : end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      i = end === -1 ? xml.length : end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt) || xml.startsWith('<!', lt)) {
      const end = xml.indexOf('>', lt + 2);
      i = end === -1 ? xml.length : end + 1;
      continue;
    }
    let end = lt + 1;
    let quote: string | undefined;
    while (end < xml.length) {
      const c = xml[end];
      if (quote !== undefined) {
        if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
      end += 1;
    }
    const body = xml.slice(lt + 1, end);
    i = end + 1;
    if (body.startsWith('/')) {
      const name = body.slice(1).trim();
      while (stack.length > 1) {
        const top = stack.pop();
        if (top?.name === name) break;
      }
      continue;
    }
    const selfClosing = body.endsWith('/');
    const inner = selfClosing ? body.slice(0, -1) : body;
    const nameMatch = /^[^\s/>]+/.exec(inner);
    if (nameMatch === null) continue;
    const attrs: Record<string, string> = {};
    for (const m of inner.slice(nameMatch[0].length).matchAll(ATTR)) {
      const key = m[1];
      if (key !== undefined) attrs[key] = decode(m[3] ?? m[4] ?? '');
    }
    const element: Element = { name: nameMatch[0], attrs, children: [] };
    stack[stack.length - 1]?.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  return root;
}

const FILE_LIKE = /[\\/]|\.(?:[cm]?[jt]s|tsx|jsx)$/;

// A suite named like a file (vitest, jest-junit) names the file; any other suite (node:test's describe) is part of the title.
function collect(element: Element, suites: readonly string[], out: TestRecord[], file: string | undefined): void {
  for (const child of element.children) {
    if (child.name === 'testsuites') {
      collect(child, suites, out, file);
      continue;
    }
    if (child.name === 'testsuite') {
      const name = child.attrs['name'] ?? '';
      const isFile = FILE_LIKE.test(name);
      collect(
        child,
        isFile || name === '' ? suites : [...suites, name],
        out,
        child.attrs['file'] ?? (isFile ? name : file),
      );
      continue;
    }
    if (child.name !== 'testcase') continue;
    const names = child.children.map((c) => c.name);
    const skipped = child.children.find((c) => c.name === 'skipped');
    let result: TestRecord['result'] = 'passed';
    if (names.includes('failure') || names.includes('error')) result = 'failed';
    else if (skipped !== undefined)
      result = (skipped.attrs['message'] ?? '').toLowerCase().includes('todo') ? 'todo' : 'skipped';
    const title = [...suites, child.attrs['name'] ?? ''].join(' > ');
    const seconds = Number(child.attrs['time'] ?? '0');
    out.push({
      file: child.attrs['file'] ?? file ?? child.attrs['classname'] ?? '',
      title,
      result,
      durationMs: Number.isFinite(seconds) ? seconds * 1000 : 0,
      ids: idsFromTitle(title),
    });
  }
}

/** Test records from a JUnit XML document. ASVS ids come from "[ASVS …]" title suffixes (JUnit has no tags). */
export function recordsFromJunit(xml: string): TestRecord[] {
  const out: TestRecord[] = [];
  collect(parseXml(xml), [], out, undefined);
  return out;
}
