/** The last scrub before quoted text leaves the process, and the key diff of a refresh. */
import { describe, expect, it } from 'vitest';
import { diffKeys } from '../src/lifecycle/diff';
import { redact } from '../src/http/redact';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('redact', () => {
  it('replaces every occurrence of each known credential, exactly', () => {
    expect(redact('id 5f0c-1234 and again 5f0c-1234.', ['5f0c-1234'])).toBe(
      'id [redacted] and again [redacted].',
    );
    expect(redact('a=abcd b=wxyz', ['abcd', 'wxyz'])).toBe('a=[redacted] b=[redacted]');
  });

  it('ignores empty, missing and shorter-than-4 known values (they would shred the text)', () => {
    expect(redact('a bc def', ['', null, undefined, 'a', 'bc', 'def'])).toBe('a bc def');
    expect(redact('code abcd', ['abcd'])).toBe('code [redacted]');
    expect(redact('no list given')).toBe('no list given');
  });

  it('replaces anything JWT-shaped, signature included', () => {
    expect(redact(`bad jwt ${JWT} here`)).toBe('bad jwt [redacted-jwt] here');
    expect(redact(`unsigned ${JWT.split('.').slice(0, 2).join('.')}. end`)).toBe(
      'unsigned [redacted-jwt] end',
    );
  });

  it('replaces Vault token shapes of 16+ characters, old and new, and leaves shorter ones', () => {
    const tokens = [
      'hvs.CAESIabcdefghijklmnop',
      'hvb.AAAAAQabcdefghijklmn',
      'hvr.abcdefghijklmnopq',
      's.abcdefghijklmnopqrstuvwx',
    ];
    for (const t of tokens) expect(redact(`token ${t}!`), t).toBe('token [redacted-token]!');
    expect(redact('s.short and hvs.tooShort123')).toBe('s.short and hvs.tooShort123');
  });

  it('folds whitespace and newlines to single spaces and trims', () => {
    expect(redact('  line one\n\n\tline  two  ')).toBe('line one line two');
  });

  it('caps the text at 300 characters with an ellipsis, and leaves 300 as is', () => {
    const exactly = 'x'.repeat(300);
    expect(redact(exactly)).toBe(exactly);
    const long = redact('y'.repeat(301));
    expect(long).toBe(`${'y'.repeat(300)}…`);
  });
});

describe('diffKeys', () => {
  it('names keys added, changed and removed, in that order; equal records give none', () => {
    expect(diffKeys({ A: '1', B: '2', C: '3' }, { A: '1', B: 'x', D: '4' })).toEqual(['B', 'D', 'C']);
    expect(diffKeys({ A: '1' }, { A: '1' })).toEqual([]);
    expect(diffKeys({}, {})).toEqual([]);
    expect(diffKeys({ A: '' }, {})).toEqual(['A']);
    expect(diffKeys({}, { A: '' })).toEqual(['A']);
  });
});
