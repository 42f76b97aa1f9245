/**
 * The binder's view of the control catalogue (src/core/controls.ts, the one list of control ids
 * and titles the product cites; docs/controls.md is generated from it): a control's entry, and the
 * catalogue's order for the control matrix.
 */
import { CONTROLS, type Control } from '../controls.ts';

export type ControlInfo = Pick<Control, 'id' | 'title'> & { framework: string };

const ORDER = new Map(CONTROLS.map((ctl, i) => [ctl.id, i]));

/** The catalogue's entry; an id it does not know is named as such, never given a made-up title. */
export function controlInfo(id: string): ControlInfo {
  const known = CONTROLS[ORDER.get(id) ?? -1];
  return known ?? { id, framework: id.includes(':') ? id.slice(0, id.indexOf(':')) : 'other', title: '(not in the catalogue)' };
}

/** Catalogue order; ids the catalogue does not know sort last, alphabetically. */
export function compareControls(a: string, b: string): number {
  return (ORDER.get(a) ?? 1e6) - (ORDER.get(b) ?? 1e6) || a.localeCompare(b);
}
