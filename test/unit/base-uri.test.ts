// Arazzo 1.1 $self as the base URI of source urls (src/load/base-uri.ts), on files in a temp dir: no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseUri, declaredSelf, sourcePlace } from '../../src/load/base-uri';

const dir = mkdtempSync(join(tmpdir(), 'base-uri-'));
const doc = join(dir, 'flows', 'main.arazzo.yaml');
mkdirSync(join(dir, 'flows'));
mkdirSync(join(dir, 'apis'));
writeFileSync(join(dir, 'apis', 'known.yaml'), 'openapi: 3.2.0\n$self: https://example.com/apis/known.yaml\ninfo: {}\n');
writeFileSync(join(dir, 'apis', 'plain.yaml'), 'openapi: 3.1.0\ninfo:\n  $self: not-top-level\n');
writeFileSync(join(dir, 'apis', 'known.json'), '{\n  "openapi": "3.2.0",\n  "$self": "https://example.com/apis/known.json"\n}\n');

test('base-uri: without $self the base is where the document was read (as in 1.0)', () => {
  assert.equal(baseUri(doc, undefined), doc);
  assert.deepEqual(sourcePlace(doc, undefined, '../apis/plain.yaml'), { location: join(dir, 'apis', 'plain.yaml'), identity: join(dir, 'apis', 'plain.yaml') });
});

test('base-uri: a relative $self is resolved against the retrieval location first', () => {
  const place = sourcePlace(doc, '../apis/here.arazzo.yaml', 'plain.yaml');
  assert.equal(place.location, join(dir, 'apis', 'plain.yaml'));
  assert.equal(place.warning, undefined);
});

test('base-uri: an absolute $self; the file beside the document that identifies as the URI is read, silently', () => {
  const self = 'https://example.com/flows/main.arazzo.yaml';
  assert.deepEqual(sourcePlace(doc, self, '../apis/known.yaml'), { location: join(dir, 'apis', 'known.yaml'), identity: 'https://example.com/apis/known.yaml' });
  assert.equal(sourcePlace(doc, self, '../apis/known.json').location, join(dir, 'apis', 'known.json'));
});

test('base-uri: an absolute $self; a file beside it that does not identify as the URI is read with a warning', () => {
  const place = sourcePlace(doc, 'https://example.com/flows/main.arazzo.yaml', '../apis/plain.yaml');
  assert.equal(place.location, join(dir, 'apis', 'plain.yaml'));
  assert.equal(place.identity, 'https://example.com/apis/plain.yaml');
  assert.match(place.warning ?? '', /resolves against \$self .* to https:\/\/example\.com\/apis\/plain\.yaml; .*it has no \$self/);
});

test('base-uri: an absolute $self and no file beside it: the identifier itself is what is read', () => {
  const place = sourcePlace(doc, 'https://example.com/flows/main.arazzo.yaml', '../apis/elsewhere.yaml');
  assert.deepEqual(place, { location: 'https://example.com/apis/elsewhere.yaml', identity: 'https://example.com/apis/elsewhere.yaml' });
  // an absolute source url is not touched by $self
  assert.equal(sourcePlace(doc, 'https://example.com/x.yaml', 'https://other.example/api.yaml').location, 'https://other.example/api.yaml');
});

test('base-uri: declaredSelf reads a top-level YAML key or the JSON member, not a nested one', () => {
  assert.equal(declaredSelf(join(dir, 'apis', 'known.yaml')), 'https://example.com/apis/known.yaml');
  assert.equal(declaredSelf(join(dir, 'apis', 'known.json')), 'https://example.com/apis/known.json');
  assert.equal(declaredSelf(join(dir, 'apis', 'plain.yaml')), undefined);
  assert.equal(declaredSelf(join(dir, 'missing.yaml')), undefined);
});
