import t from 'tap';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

t.test('parses Go durations to milliseconds', (t) => {
  const cases: [string, number][] = [
    ['500ms', 500],
    ['15s', 15000],
    ['1m30s', 90000],
    ['336h', 336 * 3600000],
    ['1.5h', 5400000],
    ['0', 0],
    ['-0', 0],
    ['2h45m', 9900000],
    ['.5s', 500],
    ['1.s', 1000],
    ['1000us', 1],
    ['1000µs', 1],
    ['1000μs', 1],
    ['1000000ns', 1],
    ['+5s', 5000],
    ['-1s', -1000],
    ['1h1m1s1ms', 3661001],
  ];
  for (const [text, ms] of cases) t.equal(parseDuration(text), ms, text);
  t.end();
});

t.test('rejects anything else', (t) => {
  const cases: [string, RegExp][] = [
    ['', /invalid duration ""/],
    ['15', /missing unit in duration "15"/],
    ['0s5', /missing unit/],
    ['15 s', /unknown unit " s"/],
    ['1d', /unknown unit "d"/],
    ['1S', /unknown unit "S"/],
    ['.s', /invalid duration/],
    ['s', /invalid duration/],
    ['1.5.5h', /missing unit/],
    ['--1s', /invalid duration/],
  ];
  for (const [text, re] of cases) t.throws(() => parseDuration(text), { message: re }, JSON.stringify(text));
  t.end();
});

t.test('formats durations compactly for messages', (t) => {
  const cases: [number, string][] = [
    [0, '0s'],
    [500, '500ms'],
    [15000, '15s'],
    [90000, '1m30s'],
    [336 * 3600000, '336h'],
    [1500, '1.5s'],
    [3661001, '1h1m1.001s'],
    [0.5, '500µs'],
    [-2000, '-2s'],
  ];
  for (const [ms, text] of cases) t.equal(formatDuration(ms), text, String(ms));
  t.end();
});
