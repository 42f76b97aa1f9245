import { defineRule } from './types.ts';
import { at } from './helpers.ts';
import type { ValidGrant } from './types.ts';

/** One identity, one file: two files for one identity split its evidence and its reviews. */
export default defineRule({
  meta: {
    id: 'identity-unique',
    description: "Each identity id appears in exactly one grant file, and a person's GitHub login is the grantee of at most one human grant file.",
    controls: ['NIST-CSF-2.0:PR.AA-01', 'NIST-CSF-2.0:PR.AA-02', 'ISO27001:A.5.16', 'OWASP-NHI:NHI9:2025'],
    scope: 'repo',
    defaultSeverity: 'error',
    waivable: false,
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fix: 'Merge the access entries into one file and delete the other; one file per identity.',
  },
  check(ctx) {
    const byId = new Map<string, ValidGrant[]>();
    const byLogin = new Map<string, ValidGrant[]>();
    for (const g of ctx.index.validGrants) {
      const id = g.data.identity.id;
      const list = byId.get(id);
      if (list) list.push(g);
      else byId.set(id, [g]);
      const login = g.data.identity.kind === 'human' ? g.data.identity.github : undefined;
      if (login) {
        const key = login.toLowerCase();
        const same = byLogin.get(key);
        if (same) same.push(g);
        else byLogin.set(key, [g]);
      }
    }
    for (const [id, files] of byId) {
      if (files.length < 2) continue;
      for (const f of files) {
        const others = files
          .filter((o) => o !== f)
          .map((o) => o.path)
          .join(', ');
        ctx.report({
          ...at(f, ['identity', 'id']),
          identity: id,
          message: `identity \`${id}\` is also defined in ${others}: keep one file per identity and merge the access entries into it`,
        });
      }
    }
    for (const [login, files] of byLogin) {
      if (files.length < 2) continue;
      const ids = new Set(files.map((f) => f.data.identity.id));
      if (ids.size < 2) continue; // already reported as a duplicate id
      for (const f of files) {
        const others = files
          .filter((o) => o !== f)
          .map((o) => o.path)
          .join(', ');
        ctx.report({
          ...at(f, ['identity', 'github']),
          identity: f.data.identity.id,
          message: `GitHub login \`${login}\` is also the grantee in ${others}: a person has one grant file; merge them`,
        });
      }
    }
  },
});
