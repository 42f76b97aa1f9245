/**
 * A page of the docs read as a runbook: every fenced shell block, the step it belongs to (the
 * `<!-- setup-step: NAME -->` comment before it) and its commands, one per line as a reader types
 * them. A shell block without a step is an error: nothing a reader is told to run may go untested.
 */

export interface RunbookLine {
  /** The command as written (a trailing `\` joins the next line). */
  text: string;
  /** 1-based line in the page. */
  line: number;
}

export interface RunbookBlock {
  step: string;
  /** 1-based line of the opening fence. */
  line: number;
  commands: RunbookLine[];
}

const SHELL_FENCE = /^```(sh|bash|shell|console|zsh)\s*$/;
const STEP = /^<!--\s*setup-step:\s*([a-z0-9-]+)\s*-->\s*$/;

export function parseRunbook(markdown: string): RunbookBlock[] {
  const lines = markdown.split('\n');
  const blocks: RunbookBlock[] = [];
  const steps = new Set<string>();
  let pendingStep: { name: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const step = STEP.exec(text);
    if (step) {
      if (pendingStep) throw new Error(`line ${pendingStep.line}: the step ${pendingStep.name} has no shell block after it`);
      pendingStep = { name: step[1]!, line: i + 1 };
      continue;
    }
    if (text.startsWith('```')) {
      const fence = i + 1;
      const shell = SHELL_FENCE.test(text);
      if (shell && !pendingStep) throw new Error(`line ${fence}: a shell block without a <!-- setup-step: NAME --> comment before it`);
      if (!shell && pendingStep) throw new Error(`line ${pendingStep.line}: the step ${pendingStep.name} is followed by a ${text} block, not a shell block`);
      const body: RunbookLine[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push({ text: lines[i]!, line: i + 1 });
      if (i >= lines.length) throw new Error(`line ${fence}: the block never closes`);
      if (!shell) continue;
      const name = pendingStep!.name;
      if (steps.has(name)) throw new Error(`line ${fence}: a second block for the step ${name}`);
      steps.add(name);
      pendingStep = undefined;
      blocks.push({ step: name, line: fence, commands: commandsOf(body) });
      continue;
    }
    if (pendingStep && text.trim() !== '') throw new Error(`line ${pendingStep.line}: the step ${pendingStep.name} is not followed by its shell block`);
  }
  if (pendingStep) throw new Error(`line ${pendingStep.line}: the step ${pendingStep.name} has no shell block after it`);
  return blocks;
}

/** One command per line; blank lines and whole-line comments are not commands; `\` continues a line. */
function commandsOf(body: RunbookLine[]): RunbookLine[] {
  const out: RunbookLine[] = [];
  let open: RunbookLine | undefined;
  for (const l of body) {
    if (open) {
      open.text = `${open.text.slice(0, -1)}${l.text.trimStart()}`;
    } else {
      const t = l.text.trim();
      if (t === '' || t.startsWith('#')) continue;
      open = { text: l.text, line: l.line };
    }
    if (!open.text.endsWith('\\')) {
      out.push(open);
      open = undefined;
    }
  }
  if (open) throw new Error(`line ${open.line}: the command continues past the end of its block`);
  return out;
}
