import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsvSeries, parseCsvColumn, futureTimes, parseTimeCell, type CsvTable } from '../../src/forecast/csv.ts';

const only = (t: CsvTable) => {
  assert.equal(t.series.length, 1);
  return t.series[0]!;
};
const last = (t: CsvTable, i = 0) => t.series[i]!.timeValues![t.series[i]!.timeValues!.length - 1]!;

test('a newest-first file is sorted by its auto-detected date column, and the future stamps continue the months', () => {
  const t = parseCsvSeries('Month,#Passengers\n1949-04,129\n1949-03,132\n1949-02,118\n1949-01,112\n', { column: '#Passengers' });
  assert.equal(t.time?.column, 'Month');
  assert.equal(t.time?.stepLabel, '1 month');
  const s = only(t);
  assert.deepEqual(Array.from(s.values), [112, 118, 132, 129]);
  assert.deepEqual(s.times, ['1949-01', '1949-02', '1949-03', '1949-04']);
  assert.equal(s.resorted, true);
  assert.deepEqual(futureTimes(t.time!, last(t), 3), ['1949-05', '1949-06', '1949-07']);
});

test('month-end, quarterly, daily, hourly and numeric time columns get their own steps and future stamps', () => {
  const monthEnd = parseCsvSeries('ds,y\n2020-01-31,1\n2020-02-29,2\n2020-03-31,3\n', { column: 'y' });
  assert.deepEqual(futureTimes(monthEnd.time!, last(monthEnd), 2), ['2020-04-30', '2020-05-31']);
  const quarterly = parseCsvSeries('ds,y\n2020-01-01,1\n2020-04-01,2\n2020-07-01,3\n', { column: 'y' });
  assert.equal(quarterly.time?.stepLabel, '1 quarter');
  assert.deepEqual(futureTimes(quarterly.time!, last(quarterly), 2), ['2020-10-01', '2021-01-01']);
  const daily = parseCsvSeries('ds,y\n2020-02-27,1\n2020-02-28,2\n2020-02-29,3\n', { column: 'y' });
  assert.deepEqual(futureTimes(daily.time!, last(daily), 2), ['2020-03-01', '2020-03-02']);
  const hourly = parseCsvSeries('ds,y\n2020-01-01 22:00,1\n2020-01-01 23:00,2\n', { column: 'y' });
  assert.equal(hourly.time?.stepLabel, '1 hour');
  assert.deepEqual(futureTimes(hourly.time!, last(hourly), 1), ['2020-01-02T00:00:00Z']);
  // A numeric column is a time index only when named: integers are not dates.
  assert.equal(parseCsvSeries('year,y\n2001,1\n2002,2\n2003,3\n', { column: 'y' }).time, null);
  const years = parseCsvSeries('year,y\n2003,3\n2001,1\n2002,2\n', { column: 'y', timeColumn: 'year' });
  assert.deepEqual(Array.from(only(years).values), [1, 2, 3]);
  assert.deepEqual(futureTimes(years.time!, last(years), 2), ['2004', '2005']);
});

test('dates are checked: impossible days are not dates, --time-column none keeps the file order', () => {
  assert.equal(parseTimeCell('2021-02-30'), null);
  assert.equal(parseTimeCell('2021-13'), null);
  const t = parseCsvSeries('ds,y\n2020-01-02,2\n2020-01-01,1\n', { column: 'y', timeColumn: 'none' });
  assert.equal(t.time, null);
  assert.deepEqual(Array.from(only(t).values), [2, 1]);
  assert.throws(() => parseCsvSeries('ds,y\n2020-01-01,1\nlater,2\n', { column: 'y', timeColumn: 'ds' }), /row 3, time column 'ds' is 'later', not a date/);
  assert.throws(() => parseCsvSeries('a,b,y\n2020-01-01,2020-02-01,1\n2020-01-02,2020-02-02,2\n', { column: 'y' }), /columns 'a' and 'b' all parse as dates; pass --time-column NAME/);
});

test('a gap in the time index is an error naming the stamps, or filled by --missing nan / interpolate', () => {
  const text = 'ds,y\n2020-01-01,1\n2020-01-02,2\n2020-01-05,5\n';
  assert.throws(() => parseCsvSeries(text, { column: 'y' }), /2 time steps are missing between 2020-01-02 and 2020-01-05 in 'ds'.*--missing nan or --missing interpolate/);
  const nan = only(parseCsvSeries(text, { column: 'y', missing: 'nan' }));
  assert.equal(nan.gaps, 2);
  assert.deepEqual(Array.from(nan.values).map((v) => (Number.isNaN(v) ? 'NaN' : v)), [1, 2, 'NaN', 'NaN', 5]);
  assert.deepEqual(nan.times, ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04', '2020-01-05']);
  assert.deepEqual(Array.from(only(parseCsvSeries(text, { column: 'y', missing: 'interpolate' })).values), [1, 2, 3, 4, 5]);
  // Irregular spacing (not a whole number of steps) and repeated stamps are errors whatever the policy.
  assert.throws(() => parseCsvSeries('ds,y\n2020-01-01 00:00,1\n2020-01-01 02:00,2\n2020-01-01 05:00,3\n', { column: 'y', missing: 'nan' }), /not regularly spaced/);
  assert.throws(() => parseCsvSeries('ds,y\n2020-01-01,1\n2020-01-01,2\n', { column: 'y' }), /rows 2 and 3 have the same time 2020-01-01 in 'ds'; if the file holds several series \(long format\), pass --id-column/);
});

test('Nixtla long format: refused without --id-column, one sorted series per id with it', () => {
  const text = 'unique_id,ds,y\nB,2020-01-02,6\nA,2020-01-01,1\nB,2020-01-01,5\nA,2020-01-02,2\nA,2020-01-03,3\n';
  assert.throws(() => parseCsvSeries(text, { column: 'y' }), /looks like Nixtla's long format.*--id-column unique_id/);
  const t = parseCsvSeries(text, { column: 'y', idColumn: 'unique_id' });
  assert.equal(t.idColumn, 'unique_id');
  assert.deepEqual(t.series.map((s) => [s.id, Array.from(s.values)]), [['B', [5, 6]], ['A', [1, 2, 3]]]);
  assert.deepEqual(futureTimes(t.time!, last(t, 0), 1), ['2020-01-03']);
  assert.throws(() => parseCsvSeries(text, { column: 'y', idColumn: 'series' }), /no column 'series'.*\(--id-column\)/);
});

test('semicolon, tab and pipe files are detected (or given by --delimiter); quoted delimiters and newlines stay in their field', () => {
  assert.deepEqual(Array.from(only(parseCsvSeries('t;y\n1;10\n2;11\n', { column: 'y' })).values), [10, 11]);
  assert.deepEqual(Array.from(only(parseCsvSeries('t\ty\n1\t10\n2\t11\n', { column: 'y' })).values), [10, 11]);
  const piped = parseCsvSeries('t|y\n1|10\n2|11\n', { column: 'y', delimiter: '|' });
  assert.equal(piped.delimiter, '|');
  const quoted = parseCsvSeries('note,y\n"first line\nsecond line",1\n"a, b and ""c""",2\n', { column: 'y' });
  assert.deepEqual(Array.from(only(quoted).values), [1, 2]);
  assert.throws(() => parseCsvSeries('t;y\n1;10\n2;11\n', { column: 'y', delimiter: ',' }), /no column 'y'; its columns are 't;y'/);
  assert.throws(() => parseCsvSeries('t,y\n1,10\n2\n', { column: 'y' }), /not valid CSV with delimiter ',':.*pass --delimiter/);
  assert.throws(() => parseCsvSeries('t,y\n1,10\n', { column: 'y', delimiter: ';;' }), /--delimiter: expected one character/);
});

test('a headerless file names its columns by number', () => {
  const t = parseCsvSeries('2020-01-01,10\n2020-01-02,12\n2020-01-03,14\n', { column: '2', header: false });
  assert.deepEqual(t.header, ['1', '2']);
  assert.equal(t.time?.column, '1');
  assert.deepEqual(Array.from(only(t).values), [10, 12, 14]);
  assert.throws(() => parseCsvSeries('1,10\n2,12\n', { column: '3', header: false }), /--column '3' is not a column number from 1 to 2 \(the file has no header line\)/);
  // With a header, the same file would lose its first row to the header, which is why the flag is explicit.
  assert.equal(only(parseCsvSeries('1,10\n2,12\n3,14\n', { column: '10' })).values.length, 2);
});

test('missing and non-numeric cells follow the policy; the simple column reader keeps the file order', () => {
  assert.throws(() => parseCsvSeries('t,y\n1,10\n2,NA\n3,11\n', { column: 'y' }), /row 3, column 'y' is missing \('NA'\); pass --missing nan/);
  assert.throws(() => parseCsvSeries('t,y\n1,10\n2,x\n', { column: 'y' }), /row 3, column 'y' is 'x', not a number/);
  assert.deepEqual(Array.from(parseCsvColumn('t,y\n3,1\n1,3\n2,2\n', 'y').values), [1, 3, 2]);
  assert.deepEqual(Array.from(parseCsvColumn('\uFEFFt,y\n1,1\n2,NA\n3,3\n', 'y', { missing: 'interpolate' }).values), [1, 2, 3]);
  assert.throws(() => parseCsvSeries('', { column: 'y' }), /is empty/);
  assert.throws(() => parseCsvSeries('t,y\n', { column: 'y' }), /header but no data rows/);
});
