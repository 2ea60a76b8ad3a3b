// The third-party modules the core loads, gathered for the workflow bundle's preload (src/bundle.ts): both packages
// declare "sideEffects": false, so webpack drops a bare preload require of them; a module that uses their exports
// keeps them. Pure: no state of its own.
import { RE2JS } from 're2js';
import { query } from 'jsonpath-rfc9535';

const parseRfc9535 = require('jsonpath-rfc9535/parser').default as unknown;

export const PRELOADED = [RE2JS, query, parseRfc9535] as const;
