/** Reading a page as a runbook: every shell block belongs to a step, one command per line. */
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../support/walkthrough/runbook.ts';

describe('parseRunbook', () => {
  it("reads each step's commands, skipping comments and blank lines and joining continued lines", () => {
    const page = [
      '# Title',
      '',
      '<!-- setup-step: one -->',
      '```sh',
      '# a comment',
      'npx access-ledger init access --org acme   # trailing words stay',
      '',
      'git commit \\',
      '  -m "x"',
      '```',
      '',
      '```yaml',
      'not: a command',
      '```',
      '<!-- setup-step: two -->',
      '',
      '```bash',
      'cd ..',
      '```',
    ].join('\n');
    expect(parseRunbook(page)).toEqual([
      {
        step: 'one',
        line: 4,
        commands: [
          { text: 'npx access-ledger init access --org acme   # trailing words stay', line: 6 },
          { text: 'git commit -m "x"', line: 8 },
        ],
      },
      { step: 'two', line: 17, commands: [{ text: 'cd ..', line: 18 }] },
    ]);
  });

  it.each([
    ['a shell block with no step', '```sh\nls\n```\n', /line 1: a shell block without a <!-- setup-step: NAME --> comment/],
    ['a step before a yaml block', '<!-- setup-step: x -->\n```yaml\na: 1\n```\n', /the step x is followed by a ```yaml block, not a shell block/],
    ['a step with prose after it', '<!-- setup-step: x -->\nSome words.\n```sh\nls\n```\n', /the step x is not followed by its shell block/],
    ['a step at the end', 'text\n<!-- setup-step: x -->\n', /the step x has no shell block after it/],
    ['two blocks for one step', '<!-- setup-step: x -->\n```sh\nls\n```\n<!-- setup-step: x -->\n```sh\nls\n```\n', /a second block for the step x/],
    ['a block that never closes', '<!-- setup-step: x -->\n```sh\nls\n', /the block never closes/],
    ['a continuation past the end', '<!-- setup-step: x -->\n```sh\nls \\\n```\n', /continues past the end of its block/],
    ['a console block is a shell block too', '```console\nls\n```\n', /without a <!-- setup-step/],
  ])('refuses %s', (_name, page, message) => {
    expect(() => parseRunbook(page)).toThrow(message);
  });
});
