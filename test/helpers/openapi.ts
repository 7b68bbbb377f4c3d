// Checks JSON bodies against the vendor OpenAPI specs in ../shared/specs/, so
// the sandbox tenant is held to the same shapes as the real service.
//
// A deliberately small validator: $ref, allOf / oneOf / anyOf (with
// discriminator mappings), type, nullable, enum, required, properties, items,
// and the date-time format. It is lenient about additionalProperties, as Okta
// is (custom profile attributes, undocumented fields). Errors name the JSON
// path, so a failing test says which field is wrong.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Schema = { [key: string]: unknown };
export type OpenApiSpec = { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, Schema>; responses?: Record<string, Schema> } };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the vendor specs live: $LATCHKEY_SPECS_DIR, else ../shared/specs next to the repository. */
export function specsDir(): string {
  return process.env.LATCHKEY_SPECS_DIR ?? path.resolve(repoRoot, '../shared/specs');
}

const cache = new Map<string, OpenApiSpec>();

export function loadSpec(file: string): OpenApiSpec {
  const full = path.join(specsDir(), file);
  let spec = cache.get(full);
  if (!spec) {
    if (!fs.existsSync(full)) throw new Error(`OpenAPI spec not found at ${full} (set LATCHKEY_SPECS_DIR to the folder holding ${file})`);
    // js-yaml is a direct devDependency (the Okta SDK also ships it).
    const yaml = createRequire(import.meta.url)('js-yaml') as { load: (text: string) => unknown };
    spec = yaml.load(fs.readFileSync(full, 'utf8')) as OpenApiSpec;
    cache.set(full, spec);
  }
  return spec;
}

export const loadOktaSpec = (): OpenApiSpec => loadSpec('okta-management.yaml');
/** The Microsoft Graph v1.0 subset (paths as the spec spells them, e.g. /users/microsoft.graph.delta()). */
export const loadGraphSpec = (): OpenApiSpec => loadSpec('msgraph-v1-subset.yaml');
/** Jira Cloud platform REST v3 (JSON parses as YAML). */
export const loadJiraSpec = (): OpenApiSpec => loadSpec('jira-platform-v3.json');
/** Jira Service Management REST (servicedeskapi). */
export const loadJsmSpec = (): OpenApiSpec => loadSpec('jsm.json');

function resolveRef(spec: OpenApiSpec, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  let node: unknown = spec;
  for (const part of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return node as Schema;
}

export type Operation = { operationId?: string; security?: Record<string, string[]>[]; responses: Record<string, Schema> };

export function operation(spec: OpenApiSpec, method: string, pathTemplate: string): Operation {
  const item = spec.paths[pathTemplate];
  const op = item?.[method.toLowerCase()] as Operation | undefined;
  if (!op) throw new Error(`no operation ${method.toUpperCase()} ${pathTemplate} in the spec`);
  return op;
}

/**
 * The JSON schema of an operation's response for a status. Looks up the exact
 * status, then its range ("2XX", as Graph's spec writes), then for errors the
 * "default" response, then the spec's Error schema (Okta's fallback).
 */
export function responseSchema(spec: OpenApiSpec, method: string, pathTemplate: string, status: number): Schema {
  const op = operation(spec, method, pathTemplate);
  let response = op.responses[String(status)] ?? op.responses[`${String(status).charAt(0)}XX`] ?? (status >= 400 ? op.responses.default : undefined);
  if (!response) {
    if (status >= 400) return { $ref: '#/components/schemas/Error' };
    throw new Error(`${method.toUpperCase()} ${pathTemplate} documents no ${status} response`);
  }
  if (typeof response.$ref === 'string') response = resolveRef(spec, response.$ref);
  const content = response.content as Record<string, { schema?: Schema }> | undefined;
  const schema = content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${pathTemplate} ${status} has no application/json schema`);
  return schema;
}

// Jira writes offsets without the colon (2026-11-22T03:05:00.000+0000), which its spec still calls date-time.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

function isNullable(spec: OpenApiSpec, schema: Schema, seen = 0): boolean {
  if (seen > 20) return false;
  if (schema.nullable === true) return true;
  if (typeof schema.$ref === 'string') return isNullable(spec, resolveRef(spec, schema.$ref), seen + 1);
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const parts = schema[key] as Schema[] | undefined;
    if (parts?.some((p) => isNullable(spec, p, seen + 1))) return true;
  }
  // An unconstrained schema ({}) accepts anything, null included.
  return !('type' in schema) && !('$ref' in schema) && !('allOf' in schema) && !('oneOf' in schema) && !('anyOf' in schema) && !('properties' in schema);
}

type Ctx = { spec: OpenApiSpec; errors: string[]; /** Refs whose discriminator already dispatched on this value. */ dispatched: Set<string> };

function check(ctx: Ctx, schema: Schema, value: unknown, at: string, selfRef: string | null): void {
  if (typeof schema.$ref === 'string') {
    check(ctx, resolveRef(ctx.spec, schema.$ref), value, at, schema.$ref);
    return;
  }
  if (value === null) {
    if (!isNullable(ctx.spec, schema)) ctx.errors.push(`${at}: null is not allowed`);
    return;
  }

  // Polymorphism: a discriminator picks the concrete schema (Application by
  // signOnMode, roles by type). The concrete schema usually allOf's the base
  // again, so the base must not dispatch a second time.
  const disc = schema.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
  if (disc?.mapping && value && typeof value === 'object' && !Array.isArray(value) && !(selfRef && ctx.dispatched.has(selfRef))) {
    const tag = (value as Record<string, unknown>)[disc.propertyName];
    if (typeof tag === 'string') {
      const target = disc.mapping[tag];
      if (!target) {
        ctx.errors.push(`${at}.${disc.propertyName}: "${tag}" is not one of ${Object.keys(disc.mapping).join(', ')}`);
        return;
      }
      if (target !== selfRef) {
        const dispatched = new Set(ctx.dispatched);
        if (selfRef) dispatched.add(selfRef);
        check({ ...ctx, dispatched }, { $ref: target }, value, at, null);
        // The target carries the base's constraints through its allOf; when
        // the base is not part of it (oneOf + discriminator) we are done too.
        return;
      }
    }
  }

  for (const part of (schema.allOf as Schema[] | undefined) ?? []) check(ctx, part, value, at, null);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const parts = schema[key] as Schema[] | undefined;
    if (!parts || disc?.mapping) continue;
    const attempts = parts.map((p) => {
      const errors: string[] = [];
      check({ ...ctx, errors }, p, value, at, null);
      return errors;
    });
    const passing = attempts.filter((e) => e.length === 0).length;
    // Lenient on oneOf matching several branches: Okta's often overlap (all-optional objects).
    if (passing === 0) ctx.errors.push(`${at}: matches none of ${key} (${attempts.map((e) => e[0]).join(' | ')})`);
  }

  const type = schema.type as string | undefined;
  switch (type) {
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) {
        ctx.errors.push(`${at}: expected an object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
        return;
      }
      break;
    case 'array':
      if (!Array.isArray(value)) {
        ctx.errors.push(`${at}: expected an array, got ${typeof value}`);
        return;
      }
      break;
    case 'string':
      if (typeof value !== 'string') {
        ctx.errors.push(`${at}: expected a string, got ${JSON.stringify(value)}`);
        return;
      }
      if (schema.format === 'date-time' && (!ISO_DATE_TIME.test(value) || !Number.isFinite(Date.parse(value)))) ctx.errors.push(`${at}: "${value}" is not an RFC 3339 date-time`);
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) ctx.errors.push(`${at}: expected an integer, got ${JSON.stringify(value)}`);
      break;
    case 'number':
      if (typeof value !== 'number') ctx.errors.push(`${at}: expected a number, got ${JSON.stringify(value)}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') ctx.errors.push(`${at}: expected a boolean, got ${JSON.stringify(value)}`);
      break;
    default:
      break;
  }
  const enumValues = schema.enum as unknown[] | undefined;
  if (enumValues && !enumValues.includes(value)) ctx.errors.push(`${at}: ${JSON.stringify(value)} is not one of ${enumValues.map((v) => JSON.stringify(v)).join(', ')}`);

  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    if (items) value.forEach((item, i) => check(ctx, items, item, `${at}[${i}]`, null));
    return;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (obj[key] === undefined) ctx.errors.push(`${at}: missing required property "${key}"`);
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(props)) {
      if (obj[key] !== undefined) check(ctx, sub, obj[key], `${at}.${key}`, null);
    }
  }
}

/** Problems found validating `value` against `schema` (empty when it conforms). */
export function validate(spec: OpenApiSpec, schema: Schema, value: unknown, at = '$'): string[] {
  const ctx: Ctx = { spec, errors: [], dispatched: new Set() };
  check(ctx, schema, value, at, null);
  return ctx.errors;
}

/** Problems found validating a response body against the spec's schema for (method, path, status). */
export function validateResponse(spec: OpenApiSpec, method: string, pathTemplate: string, status: number, body: unknown): string[] {
  return validate(spec, responseSchema(spec, method, pathTemplate, status), body);
}

/** Schema of a named component, e.g. schemaOf(spec, 'User'). */
export function schemaOf(spec: OpenApiSpec, name: string): Schema {
  if (!spec.components.schemas[name]) throw new Error(`no schema ${name}`);
  return { $ref: `#/components/schemas/${name}` };
}
