/**
 * The escaping module, as tables of hostile strings per destination, and properties over any
 * string: whatever goes in, what comes out is inert where it is written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  htmlAttr,
  htmlText,
  inlineCode,
  mdCell,
  mdCode,
  mdText,
  mention,
  plainLine,
  stripControls,
  terminalText,
  urlPath,
} from '../../src/core/text/escape.ts';
import { maskSecrets, maskSecretsDeep, MASKED } from '../../src/core/text/mask.ts';
import { parseRecordMarkers } from '../../src/core/ledger/index.ts';
import { FAKE_SECRETS, fakePrivateKey } from '../rules/fake-secrets.ts';
import { decodeEntities, expectInertMarkdown, outsideCode, SPOOFED_MARKER } from '../support/hostile.ts';

const ZW = '\u200b';

describe('mdText: Markdown inline text', () => {
  const cases: { name: string; input: string; out: string }[] = [
    { name: 'plain prose is left readable', input: 'Reads invoices for the nightly export', out: 'Reads invoices for the nightly export' },
    { name: 'a person is not mentioned', input: 'ask @mchen', out: `ask @${ZW}mchen` },
    { name: 'a team is not mentioned', input: 'cc @acme/security', out: `cc @${ZW}acme/security` },
    { name: 'an e-mail address is not autolinked', input: 'ops@acme.example', out: `ops@${ZW}acme.example` },
    { name: 'a link is text', input: '[docs](https://evil.example)', out: `&#91;docs&#93;(https:${ZW}//evil.example)` },
    { name: 'an image is text', input: '![x](https://evil.example/p.png)', out: `!&#91;x&#93;(https:${ZW}//evil.example/p.png)` },
    { name: 'an autolink in angle brackets is text', input: '<https://evil.example>', out: `&lt;https:${ZW}//evil.example&gt;` },
    { name: 'a bare www link is text', input: 'www.evil.example', out: `www${ZW}.evil.example` },
    { name: 'HTML is text', input: '<img src=x onerror="alert(1)">', out: '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;' },
    { name: 'a hidden marker is text', input: '<!-- access-ledger:comment -->', out: '&lt;!-- access-ledger:comment --&gt;' },
    { name: 'a heading on a new line stays on this line, as text', input: 'x\n\n## ✅ gate: pass', out: 'x &#35;&#35; ✅ gate: pass' },
    { name: 'a heading at the start is text', input: '# title', out: '&#35; title' },
    { name: 'a table row cannot start or split a cell', input: 'a | b\n|---|', out: 'a &#124; b &#124;-&#45;-&#124;'.replace('-&#45;-', '---') },
    {
      name: 'emphasis, strikethrough and math are text',
      input: '**b** _i_ ~~s~~ $x$',
      out: '&#42;&#42;b&#42;&#42; &#95;i&#95; &#126;&#126;s&#126;&#126; &#36;x&#36;',
    },
    { name: 'a code span cannot open', input: 'a `b` c', out: 'a &#96;b&#96; c' },
    { name: 'a backslash cannot escape what follows', input: 'a\\*b', out: 'a&#92;&#42;b' },
    { name: 'an issue reference links nowhere', input: 'see #12 and GH-3', out: `see &#35;${ZW}12 and GH-${ZW}3` },
    { name: 'a list cannot start', input: '- item', out: '&#45; item' },
    { name: 'an ordered list cannot start', input: '1. item', out: '1&#46; item' },
    { name: 'a block quote cannot start', input: '> quote', out: '&gt; quote' },
    { name: 'control characters and bidi overrides are dropped', input: 'a\u0000b\u202ec\u001b[31md', out: 'abcd' },
    { name: 'line breaks of every kind are one space', input: 'a\r\nb\u2028c\u0085d', out: 'a b c d' },
  ];
  it.each(cases)('$name', ({ input, out }) => expect(mdText(input)).toBe(out));

  it('cuts to a length, with an ellipsis, counting characters not code units', () => {
    expect(mdText('x'.repeat(300), 10)).toBe('xxxxxxxxx…');
    expect(mdText('😀'.repeat(20), 5)).toBe('😀😀😀😀…');
  });

  it('mdCell is the same text: pipes and line breaks cannot end a cell', () => {
    expect(mdCell('a|b\nc')).toBe('a&#124;b c');
  });

  it('whatever the input, the output is one line that GitHub renders as that text and nothing else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), (s) => {
        const out = mdText(s);
        expect(out).not.toMatch(/[\n\r<>`*_[\]|~$\\]/);
        expect(out).not.toMatch(/&(?!#\d+;|amp;|lt;|gt;|quot;)/);
        // What it shows is the input, on one line, with zero-width spaces added.
        expect(decodeEntities(out).replaceAll(ZW, '')).toBe(plainLine(s));
        expect(decodeEntities(out)).not.toMatch(/@[A-Za-z0-9]/);
      }),
      { numRuns: 500 },
    );
  });

  it('whatever the code points, nothing live and nothing on a second line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const out = mdText(s);
        expect(out).not.toMatch(/[\n\r\u0085\u2028\u2029<>`*_[\]|~$\\]/);
        expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        expect(decodeEntities(out)).not.toMatch(/@[A-Za-z0-9]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('mdCode: an inline code span', () => {
  const cases: { name: string; input: string; out: string }[] = [
    { name: 'plain text', input: 'prod-postgres', out: '`prod-postgres`' },
    { name: 'one backtick inside', input: 'a`b', out: '``a`b``' },
    { name: 'a run of backticks inside', input: 'a```b', out: '````a```b````' },
    { name: 'a backtick at either end is padded', input: '`x`', out: '`` `x` ``' },
    { name: 'empty', input: '', out: '` `' },
    { name: 'line breaks are spaces', input: 'a\n\n# b', out: '`a # b`' },
    { name: 'a comment opener is broken', input: '<!-- x -->', out: `\`<${ZW}!-- x --${ZW}>\`` },
  ];
  it.each(cases)('$name', ({ input, out }) => expect(mdCode(input)).toBe(out));

  it('escapes pipes in a table cell, as GitHub requires inside a cell', () => {
    expect(mdCode('a|b', Infinity, { inTable: true })).toBe('`a\\|b`');
  });

  it('whatever the input, the span closes where it ends and holds the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), (s) => {
        const out = mdCode(s);
        expect(out).not.toMatch(/[\n\r]/);
        expect(out).not.toContain('<!--');
        const fence = /^`+/.exec(out)![0];
        expect(out.endsWith(fence)).toBe(true);
        const inner = out.slice(fence.length, out.length - fence.length);
        // No run of exactly the fence's length inside: the span ends only at the end.
        for (const run of inner.match(/`+/g) ?? []) expect(run.length).not.toBe(fence.length);
        expect(outsideCode(`x ${out} y`)).toBe('x   y');
        const shown = inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '' ? inner.slice(1, -1) : inner;
        expect(shown.replaceAll(ZW, '')).toBe(plainLine(s) || ' ');
      }),
      { numRuns: 500 },
    );
  });
});

describe('htmlText and htmlAttr', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['" onmouseover="x', '&quot; onmouseover=&quot;x'],
    ["' autofocus '", '&#39; autofocus &#39;'],
    ['a & b', 'a &amp; b'],
    ['a\u202eb\u0000c', 'abc'],
  ])('%j', (input, out) => {
    expect(htmlText(input)).toBe(out);
    expect(htmlAttr(input)).toBe(out);
  });

  it('keeps line breaks (inside <pre>) and shows null as nothing', () => {
    expect(htmlText('a\nb')).toBe('a\nb');
    expect(htmlText(null)).toBe('');
  });

  it('whatever the input, no tag, attribute end or stray entity', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const out = htmlText(s);
        expect(out).not.toMatch(/[<>"']/);
        expect(decodeEntities(out)).toBe(maskSecrets(stripControls(s)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('terminalText', () => {
  it.each([
    ['colour', 'a\u001b[31mred\u001b[0m', 'ared'],
    ['a hyperlink (OSC 8)', '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007', 'click'],
    ['a window title (OSC 0)', '\u001b]0;owned\u001b\\x', 'x'],
    ['clear screen, 8-bit CSI', 'a\u009b2Jb', 'ab'],
    ['cursor movement over the verdict', 'ok\u001b[1A\u001b[2K✔ no problems', 'ok✔ no problems'],
    ['bell, backspace, carriage return', 'a\u0007b\u0008c\rd', 'abc d'],
    ['bidi overrides', 'user\u202e\u2066evil\u2069', 'userevil'],
    ['line breaks in one-line output', 'a\nb\u2028c', 'a b c'],
  ])('%s', (_, input, out) => expect(terminalText(input)).toBe(out));

  it('keeps line breaks and tabs when asked, and columns (runs of spaces) always', () => {
    expect(terminalText('a\tb\n  c', { multiline: true })).toBe('a\tb\n  c');
    expect(terminalText('open    x')).toBe('open    x');
  });
});

describe('mention', () => {
  it.each([
    ['alice', '@alice'],
    ['@alice', '@alice'],
    ['@acme/security', '@acme/security'],
    ['acme/security', '@acme/security'],
    ['not a login', 'not a login'],
    ['a--b', 'a&#45;-b'.replace('&#45;', '-')],
    ['x](https://evil.example)', `x&#93;(https:${ZW}//evil.example)`],
  ])('%j', (input, out) => expect(mention(input)).toBe(out));
});

describe('urlPath', () => {
  it('encodes each segment, parentheses included, so a name cannot end a Markdown link destination', () => {
    expect(urlPath('grants/a b/x).yaml')).toBe('grants/a%20b/x%29.yaml');
    expect(urlPath("a(b)!'*~/c")).toBe('a%28b%29%21%27%2A%7E/c');
    expect(urlPath('records/2026/11/pr-45-merged.json')).toBe('records/2026/11/pr-45-merged.json');
  });
});

describe('maskSecrets', () => {
  it.each(FAKE_SECRETS.map((s) => [s.kind, s.value] as const))('%s is masked, in prose too', (_, value) => {
    const out = maskSecrets(`before ${value} after`);
    expect(out).not.toContain(value);
    expect(out).toContain(MASKED);
    expect(out.startsWith('before ')).toBe(true);
    expect(out.endsWith(' after')).toBe(true);
  });

  it('keeps a known prefix, so the reader knows what to rotate', () => {
    const gh = FAKE_SECRETS[0]!.value;
    expect(maskSecrets(gh)).toBe(`ghp_${MASKED}`);
    const aws = FAKE_SECRETS.find((s) => s.kind === 'AWS access key id')!.value;
    expect(maskSecrets(aws)).toBe(`AKIA${MASKED}`);
  });

  it('masks the password of a URL (with the rest of a URL that is itself high-entropy)', () => {
    const url = FAKE_SECRETS.find((s) => s.kind === 'password in a URL')!.value;
    const password = url.slice(url.indexOf(':', 12) + 1, url.indexOf('@'));
    expect(maskSecrets(`psql ${url}`)).not.toContain(password);
    expect(maskSecrets('x://u:pw1@h')).toBe(`x://u:${MASKED}@h`);
  });

  it('masks a whole private key block', () => {
    const key = fakePrivateKey();
    const out = maskSecrets(`key:\n${key}\nend`);
    expect(out).toBe(`key:\n-----BEGIN RSA PRIVATE KEY-----${MASKED}\nend`);
  });

  it('leaves references, URLs, paths, hashes and prose alone', () => {
    for (const s of [
      'vault:kv/billing/exporter',
      'https://wiki.example/runbooks/Exporter-Key-Rotation-2026Q4',
      'grants/people/some-long-engineer-name.yaml',
      'a'.repeat(64),
      'Internationalization-related exports for dashboards',
    ]) {
      expect(maskSecrets(s)).toBe(s);
    }
  });

  it('leaves the quotes and backticks around a secret, and its prefix', () => {
    const gh = FAKE_SECRETS[0]!.value;
    expect(maskSecrets(`unknown key \`${gh}\`: did you mean "${gh}".`)).toBe(`unknown key \`ghp_${MASKED}\`: did you mean "ghp_${MASKED}".`);
  });

  it('is idempotent', () => {
    for (const s of FAKE_SECRETS) expect(maskSecrets(maskSecrets(s.value))).toBe(maskSecrets(s.value));
  });

  it('masks keys and values deep in JSON, and returns the same object when there is nothing to mask', () => {
    const gh = FAKE_SECRETS[0]!.value;
    const clean = { a: ['x', { b: 1 }], c: null };
    expect(maskSecretsDeep(clean)).toBe(clean);
    expect(JSON.stringify(maskSecretsDeep({ rows: [{ role: `r ${gh}` }], [gh]: true }))).not.toContain(gh);
  });
});

describe('a hostile value in every escaper', () => {
  it('the spoofed marker never becomes a marker line, whichever escaper it goes through', () => {
    const value = `x\n${SPOOFED_MARKER}\ny`;
    for (const out of [mdText(value), mdCell(value), mdCode(value), mdCode(value, Infinity, { inTable: true })]) {
      expect(parseRecordMarkers(out)).toEqual([]);
      expect(out).not.toContain('<!--');
      expectInertMarkdown(`- ${out}`);
    }
  });
});

describe('inlineCode: the one inline-code helper of every report (doctor, gate, stale issues, reviews)', () => {
  it.each([
    ['a plain job id', 'gate', '`gate`'],
    ['a job id that closes the span and starts a link', 'x` [click](https://evil.example) `y', '``x` [click](https://evil.example) `y``'],
    ['an environment name with a comment opener', 'prod<!--', '`prod<\u200b!--`'],
  ])('%s', (_name, value, expected) => {
    expect(inlineCode(value)).toBe(expected);
    expectInertMarkdown(`the job ${inlineCode(value)} holds the key`);
  });

  it('caps a long value as every report does', () => {
    expect(inlineCode('a'.repeat(1000)).length).toBeLessThan(310);
  });
});
