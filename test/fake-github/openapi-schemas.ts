/**
 * Response and webhook schemas from @octokit/openapi (GitHub's own description of api.github.com),
 * compiled one at a time: each schema is compiled with just the components it reaches, since
 * compiling the whole 13 MB description would take far longer than the tests themselves.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, unknown>;

interface Spec {
  paths: Record<string, Record<string, Json>>;
  'x-webhooks': Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json> };
}

const require = createRequire(import.meta.url);
let spec: Spec | undefined;

export function openapi(): Spec {
  spec ??= JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8')) as Spec;
  return spec;
}

const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS: its default export arrives as the module namespace under some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv) => void;
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/** Every `#/components/schemas/x` reachable from a schema. */
function reachable(schema: unknown, out = new Map<string, Json>()): Map<string, Json> {
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
        const name = v.slice('#/components/schemas/'.length);
        if (!out.has(name)) {
          const s = openapi().components.schemas[name];
          if (!s) throw new Error(`dangling $ref ${v}`);
          out.set(name, s);
          walk(s);
        }
      } else if (k !== 'example' && k !== 'examples') {
        walk(v);
      }
    }
  };
  walk(schema);
  return out;
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: Ajv understands `nullable` only next to `type`,
 * while GitHub also writes it beside `allOf`/`anyOf`, so every nullable node becomes "this or null".
 */
function nullableToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'example' || k === 'examples' ? v : nullableToJsonSchema(v);
  // The description of `GET /app/installations` writes the account as allOf [Simple User, Enterprise]:
  // no account is both, and real responses carry a user or an enterprise, so read it as anyOf.
  const allOf = out.allOf as Json[] | undefined;
  if (allOf?.length === 2 && allOf[0]?.title === 'Simple User' && allOf[1]?.title === 'Enterprise') {
    delete out.allOf;
    out.anyOf = allOf;
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function compile(key: string, schema: Json): ValidateFunction {
  let fn = compiled.get(key);
  if (!fn) {
    const components = Object.fromEntries([...reachable(schema)].map(([k, v]) => [k, nullableToJsonSchema(v)]));
    fn = ajv.compile({ ...(nullableToJsonSchema(schema) as Json), components: { schemas: components } });
    compiled.set(key, fn);
  }
  return fn;
}

export function operation(operationId: string): { method: string; path: string; op: Json } {
  for (const [path, item] of Object.entries(openapi().paths)) {
    for (const [method, op] of Object.entries(item)) {
      if ((op as Json).operationId === operationId) return { method: method.toUpperCase(), path, op: op as Json };
    }
  }
  throw new Error(`no operation ${operationId} in @octokit/openapi`);
}

/**
 * The validator for an operation's JSON response at `status`: `null` when GitHub declares that
 * status without a JSON body (204, 302), `undefined` when the status is not declared.
 */
export function responseValidator(operationId: string, status: number): ValidateFunction | null | undefined {
  const responses = operation(operationId).op.responses as Record<string, Json>;
  let res = responses[String(status)];
  if (!res) return undefined;
  if (typeof res.$ref === 'string') res = openapi().components.responses[res.$ref.split('/').pop() as string] as Json;
  const schema = (res.content as Record<string, { schema?: Json }> | undefined)?.['application/json']?.schema;
  return schema ? compile(`${operationId} ${status}`, schema) : null;
}

/** GitHub's generic error body, for error statuses an operation does not list. */
export function basicErrorValidator(): ValidateFunction {
  return compile('basic-error', { $ref: '#/components/schemas/basic-error' });
}

/** The request-body schema of a webhook, e.g. `pull-request-closed`. */
export function webhookValidator(name: string): ValidateFunction {
  const hook = openapi()['x-webhooks'][name]?.post as Json | undefined;
  if (!hook) throw new Error(`no webhook ${name} in @octokit/openapi`);
  const schema = ((hook.requestBody as Json).content as Record<string, { schema: Json }>)['application/json']?.schema as Json;
  return compile(`webhook ${name}`, schema);
}

export function describeErrors(fn: ValidateFunction): string {
  return (fn.errors ?? [])
    .slice(0, 20)
    .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
    .join('\n');
}
