import t from 'tap';
import fc from 'fast-check';
import { redact, REDACTED } from '../../src/diagnose/redact.js';

t.test('redacts every occurrence, overlapping secrets as one span', async (t) => {
  t.equal(redact('token abcd and abcd', ['abcd']), `token ${REDACTED} and ${REDACTED}`);
  t.equal(redact('xx SECRETPART yy', ['SECRET', 'RETPART']), `xx ${REDACTED} yy`, 'overlap');
  t.equal(redact('a b', ['a']), 'a b', 'too short to hide anything');
  t.equal(redact('nothing here', ['zzzz']), 'nothing here');
});

t.test('no secret of four or more characters survives, whatever the overlaps', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ minLength: 4, maxLength: 8, unit: fc.constantFrom('a', 'b', 'c') }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', 'c', ' ') }), { maxLength: 6 }),
      (secrets, fillers) => {
        const text = fillers.map((f, i) => f + (secrets[i % secrets.length] ?? '')).join('');
        const out = redact(text, secrets);
        // every secret's every occurrence was cut out: none is left in the pieces between REDACTED marks
        for (const piece of out.split(REDACTED)) for (const s of secrets) if (piece.includes(s)) return false;
        return true;
      },
    ),
    { numRuns: 2000, seed: 42 },
  );
  t.pass('property held');
});
