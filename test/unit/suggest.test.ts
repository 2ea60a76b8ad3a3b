// "Did you mean" for unknown operationIds, stepIds, workflowIds, outputs and inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closest, didYouMean } from '../../src/core/suggest';
import { DocumentError } from '../../src/core/diagnostics';
import { checkInputs, prepareDocument } from '../../src/load/prepare';
import { PROJECT_ROOT } from '../../src/temporal/dev-server';

test('closest: same but for case, or within edit distance 2; nothing for far names', () => {
  // the Arazzo spec's FAPI-PAR example: operationId ...PAR where the OpenAPI says ...Par
  assert.equal(closest('PushedAuthorizationRequestPAR', ['PushedAuthorizationRequestPar', 'Token']), 'PushedAuthorizationRequestPar');
  assert.equal(closest('createBatchh', ['createBatch', 'cancelBatch']), 'createBatch');
  assert.equal(closest('getResults', ['getResult', 'pollBatch']), 'getResult');
  assert.equal(closest('xyz', ['createBatch']), undefined);
  assert.equal(closest('ab', ['cd']), undefined, 'two edits on a two-letter name is not a near miss');
  assert.equal(didYouMean('pollbatch', ['pollBatch']), ' (did you mean "pollBatch"?)');
});

async function errorsOf(text: string, inputs?: Record<string, unknown>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'suggest-'));
  const file = join(dir, 'doc.arazzo.yaml');
  writeFileSync(file, text.replace('url: ../openapi/', `url: ${PROJECT_ROOT}/openapi/`));
  try {
    const prepared = await prepareDocument(file);
    if (inputs) checkInputs(prepared.plan, inputs, prepared.locate);
  } catch (err) {
    assert.ok(err instanceof DocumentError, String(err));
    return err.message;
  }
  return assert.fail('the document should have been refused');
}

const batch = readFileSync(join(PROJECT_ROOT, 'arazzo/openai-batch-job.arazzo.yaml'), 'utf8');

test('unknown operationId, stepId, workflowId step target and output get a suggestion', async () => {
  assert.match(await errorsOf(batch.replace('operationId: createBatch', 'operationId: CreateBatch')), /operationId "CreateBatch" is not defined in .* \(did you mean "createBatch"\?\)/);
  assert.match(await errorsOf(batch.replace('type: goto\n      stepId: getResult', 'type: goto\n      stepId: getResults')), /goes to step "getResults", which does not exist in workflow "batch-job" \(did you mean "getResult"\?\)/);
  assert.match(await errorsOf(batch.replace('\n    - name: batch_id\n      in: path\n      value: $steps.createBatch.outputs.batchId', '\n    - name: batch_id\n      in: path\n      value: $steps.createBatch.outputs.batchID')), /declares no output "batchID" \(did you mean "batchId"\?\)/);
  assert.match(await errorsOf(batch.replace('\n    - name: batch_id\n      in: path\n      value: $steps.createBatch.outputs.batchId', '\n    - name: batch_id\n      in: path\n      value: $steps.createbatch.outputs.batchId')), /has no step "createbatch" \(did you mean "createBatch"\?\)/);
});

test('a required input given under a near name gets a suggestion', async () => {
  const message = await errorsOf(batch, { apikey: { $secret: 'OPENAI_API_KEY' }, endpoint: '/v1/chat/completions', batchInputFile: 'x' });
  assert.match(message, /missing required input "apiKey" \("apikey" was given: did you mean "apiKey"\?\)/);
});
