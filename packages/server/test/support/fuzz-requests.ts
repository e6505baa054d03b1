/**
 * Malformed requests for the fuzz test: a fast-check arbitrary of request *plans* (pure data,
 * so a seed replays them exactly), turned into real requests against a test context (keys and
 * ids of the accounts under test). Every plan carries at least one defect that the route must
 * refuse; what answer that defect calls for is part of the plan.
 */
import { LIMITS, PUSH_MAX_BATCH } from '@dev-infra/core';
import fc from 'fast-check';
import type { RouteEntry } from '../../src/app.js';
import { syncFields } from '../helpers.js';

/** What the test knows about the accounts it fuzzes. */
export interface FuzzContext {
  /** Authorization header value of the account whose data must stay unchanged. */
  auth: string;
  key: string;
  revokedKey: string;
  /** Integer ids of that account's live projects (targets of PATCH/DELETE/archive). */
  ownIds: number[];
  /** A project id of another account. */
  otherId: number;
}

/** A request ready for `app.inject` or node:http. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: Buffer;
  /** 'auth': must be 401; 'reject': any 4xx; 'items': 4xx, or 200 (201 for import) applying nothing. */
  expect: 'auth' | 'reject' | 'items';
  /** The defect, for the outcome table. */
  defect: string;
  /** The route-table entry the request aims at ("METHOD /url"). */
  route: string;
}

const SQL = [
  "' OR '1'='1",
  '1; DROP TABLE projects;--',
  "'); DELETE FROM accounts; --",
  '1 UNION SELECT key_hash FROM api_keys',
  '" OR ""="',
];
const TRAVERSAL = [
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '....//....//etc',
  '..\\..\\windows\\win.ini',
  '/etc/passwd%00',
  '%c0%ae%c0%ae/',
];
const BAD_BYTES = [0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x00];

/** Strings that are never a valid enum value, uuid, id or machine id. */
const nasty = fc.oneof(
  fc.constantFrom(...SQL, ...TRAVERSAL, 'done', 'ACTIVE', '\u0000', '\u202e'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
);

/**
 * Plausible text with one control character core's text rule refuses (issue 14): C0 but
 * newline and tab (those pass in description), DEL, C1, NUL.
 */
const REFUSED_CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, c) => c).filter((c) => c !== 0x0a && c !== 0x09),
  0x7f,
  0x80,
  0x85,
  0x9b,
  0x9f,
].map((c) => String.fromCharCode(c));
const controlled = fc
  .tuple(
    fc.string({ maxLength: 20 }),
    fc.constantFrom(...REFUSED_CONTROLS),
    fc.string({ maxLength: 20 }),
  )
  .map(([a, c, b]) => `${a}${c}${b}`);

/** Values no schema coercion turns into a string. */
const uncoercible = fc.constantFrom<unknown>({}, [{}], [[1, 2]], { $ne: null }, [[], []]);

const overlong = (limit: number) =>
  fc.integer({ min: limit + 1, max: limit + 20_000 }).map((n) => 'x'.repeat(n));

/** One field of a project body made invalid. */
const badProjectField: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(
    fc.constantFrom(
      'name',
      'path',
      'organization',
      'description',
      'remote_url',
      'template',
      'template_version',
    ),
    uncoercible,
  ),
  fc.tuple(
    fc.constantFrom(
      'name',
      'path',
      'organization',
      'description',
      'remote_url',
      'template',
      'template_version',
    ),
    controlled,
  ),
  fc.tuple(
    fc.constant('tags'),
    controlled.map((t) => [t]),
  ),
  fc.tuple(fc.constant('name'), fc.oneof(overlong(LIMITS.name), fc.constant(''))),
  fc.tuple(fc.constant('description'), overlong(LIMITS.description)),
  fc.tuple(fc.constant('remote_url'), overlong(LIMITS.remote_url)),
  fc.tuple(fc.constant('organization'), overlong(LIMITS.organization)),
  fc.tuple(fc.constantFrom('status', 'classification', 'project_type', 'uuid'), nasty),
  fc.tuple(
    fc.constant('tags'),
    fc.oneof(
      uncoercible,
      fc.constant(Array.from({ length: LIMITS.tags + 1 }, (_, i) => `t${i}`)),
      overlong(LIMITS.tag).map((t) => [t]),
    ),
  ),
);

/** Nested arrays `depth` deep, as JSON text (built as text: JSON.stringify would recurse). */
const deepJson = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

type BodyPlan =
  | { kind: 'field'; field: [string, unknown] }
  | { kind: 'top'; value: unknown }
  | { kind: 'deep'; depth: number }
  | { kind: 'proto' }
  | { kind: 'utf8-in-enum'; bytes: number[] }
  | { kind: 'text-plain'; text: string };

/** Defects that need a route whose schema checks the body. */
const bodyPlan: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 5, arbitrary: badProjectField.map((field) => ({ kind: 'field' as const, field })) },
  fc.record({
    kind: fc.constant('top' as const),
    value: fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(fc.integer())),
  }),
  fc.record({ kind: fc.constant('deep' as const), depth: fc.integer({ min: 100, max: 100_000 }) }),
  fc.constant({ kind: 'proto' as const }),
  fc.record({
    kind: fc.constant('utf8-in-enum' as const),
    bytes: fc.array(fc.constantFrom(...BAD_BYTES), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('text-plain' as const), text: fc.string({ maxLength: 200 }) }),
);

type RawPlan =
  | { kind: 'malformed'; text: string }
  | { kind: 'utf8-structural'; bytes: number[] }
  | { kind: 'content-type'; type: string }
  | { kind: 'oversized' };

/** Defects refused before any handler runs, whatever the route (bodies on writes). */
const rawPlan: fc.Arbitrary<RawPlan> = fc.oneof(
  fc.record({
    kind: fc.constant('malformed' as const),
    text: fc.constantFrom('{', '{"name":', '{name: 1}', "{'a':1}", '[1,]', '{"a":1}}', 'nul'),
  }),
  fc.record({
    kind: fc.constant('utf8-structural' as const),
    bytes: fc.array(fc.constantFrom(...BAD_BYTES), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('content-type' as const),
    type: fc.constantFrom(
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'image/png',
      'application/json-patch+json',
    ),
  }),
  fc.constant({ kind: 'oversized' as const }),
);

const badIdText = fc
  .oneof(
    fc.constantFrom('0', '-1', '1.5', 'abc', '2147483648', '99999999999999999999', 'NaN', 'null'),
    fc.constantFrom('Infinity', '0x10', '1 OR 1=1', ...SQL, ...TRAVERSAL),
    fc.string({ maxLength: 30 }),
  )
  // A string the id schema would coerce to a positive integer could name a real project.
  .filter((s) => !(s.trim() !== '' && Number.isInteger(Number(s)) && Number(s) >= 1));

type IdPlan = { kind: 'text'; text: string } | { kind: 'other' } | { kind: 'missing' };
const idPlan: fc.Arbitrary<IdPlan> = fc.oneof(
  { weight: 3, arbitrary: badIdText.map((text) => ({ kind: 'text' as const, text })) },
  fc.constant({ kind: 'other' as const }),
  fc.constant({ kind: 'missing' as const }),
);

const QUERY_DEFECTS: Record<string, string[]> = {
  '/api/sync/changes': [
    'since=-1',
    'since=abc',
    'since=1.5',
    'since=1&since=2',
    'limit=0',
    'limit=1001',
    'limit=-5',
    'limit=99999999999999999999',
    'since=99999999999999999999',
    `since=${encodeURIComponent(SQL[0]!)}`,
    'machine_id=x',
    `machine_id=${'a'.repeat(201)}&machine_name=x`,
    'machine_id=&machine_name=',
    'machine_id=m&machine_name=l%1B%5B2J',
    'machine_id=m%00&machine_name=l',
  ],
  '/api/projects': [
    `search=${'x'.repeat(501)}`,
    `status=${'s'.repeat(101)}`,
    `organization=${'o'.repeat(LIMITS.organization + 1)}`,
    'search=a&search=b',
  ],
};

const AUTH_DEFECTS = [
  'none',
  'fake',
  'revoked',
  'basic',
  'empty-bearer',
  'huge',
  'suffix',
  'sql',
] as const;
type AuthDefect = (typeof AUTH_DEFECTS)[number];

type ItemPlan = { field: [string, unknown] } | { deep: number } | { unknownCheckout: true };

/** The plan of one request: a route (by index), a defect, and whether it is authenticated. */
export type Plan =
  | { route: number; defect: 'auth'; auth: AuthDefect; body: BodyPlan }
  | { route: number; defect: 'method'; method: string }
  | { route: number; defect: 'body'; body: BodyPlan }
  | { route: number; defect: 'raw'; raw: RawPlan }
  | { route: number; defect: 'id'; id: IdPlan }
  | { route: number; defect: 'query'; query: number }
  | { route: number; defect: 'envelope'; envelope: number }
  | { route: number; defect: 'items'; items: ItemPlan[] };

const itemPlan: fc.Arbitrary<ItemPlan> = fc.oneof(
  { weight: 4, arbitrary: badProjectField.map((field) => ({ field })) },
  fc.integer({ min: 100, max: 5000 }).map((deep) => ({ deep })),
  fc.constant({ unknownCheckout: true as const }),
);

/** Plans over `routes` (the app's route table). */
export function planArbitrary(routes: RouteEntry[]): fc.Arbitrary<Plan> {
  const route = fc.integer({ min: 0, max: routes.length - 1 });
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  return fc.oneof(
    fc.record({
      route,
      defect: fc.constant('auth' as const),
      auth: fc.constantFrom(...AUTH_DEFECTS),
      body: bodyPlan,
    }),
    fc.record({
      route,
      defect: fc.constant('method' as const),
      method: fc.constantFrom(...methods),
    }),
    fc.record({ route, defect: fc.constant('body' as const), body: bodyPlan }),
    fc.record({ route, defect: fc.constant('raw' as const), raw: rawPlan }),
    fc.record({ route, defect: fc.constant('id' as const), id: idPlan }),
    fc.record({ route, defect: fc.constant('query' as const), query: fc.nat() }),
    fc.record({ route, defect: fc.constant('envelope' as const), envelope: fc.nat() }),
    fc.record({
      route,
      defect: fc.constant('items' as const),
      items: fc.array(itemPlan, { minLength: 1, maxLength: 5 }),
    }),
  );
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const MACHINE = { id: 'fuzz-machine', name: 'fuzz' };
const validProject = () => ({ name: 'fuzz-ok', status: 'active', tags: ['a'] });
const validFields = () => syncFields('fuzz-ok', { project_type: 'Work' });
const FUZZ_UUID = '5f0c4a57-35a4-4b7e-9a51-1f6f0b0e9d10';

/** A body with the defect of `plan`, shaped for `route`. */
function bodyWith(route: RouteEntry, plan: BodyPlan): { payload: Buffer; type: string } {
  const wrap = (project: Record<string, unknown>): unknown => {
    if (route.url === '/api/projects/import') return { projects: project };
    if (route.url === '/api/sync/push') return { machine: project, changes: [] };
    return project;
  };
  const type = 'application/json';
  switch (plan.kind) {
    case 'field': {
      const [field, value] = plan.field;
      return { payload: json(wrap({ ...validProject(), [field]: value })), type };
    }
    case 'top':
      return { payload: json(plan.value), type };
    case 'deep':
      return { payload: Buffer.from(`{"name":${deepJson(plan.depth)}}`), type };
    case 'proto':
      return { payload: Buffer.from('{"name":"x","__proto__":{"admin":true}}'), type };
    case 'utf8-in-enum':
      return {
        payload: Buffer.concat([
          Buffer.from('{"name":"x","machine":1,"projects":{},"status":"'),
          Buffer.from(plan.bytes),
          Buffer.from('"}'),
        ]),
        type,
      };
    case 'text-plain':
      return { payload: Buffer.from(plan.text), type: 'text/plain' };
  }
}

function rawBody(plan: RawPlan, bodyLimit: number): { payload: Buffer; type: string } {
  switch (plan.kind) {
    case 'malformed':
      return { payload: Buffer.from(plan.text), type: 'application/json' };
    case 'utf8-structural':
      return {
        payload: Buffer.concat([
          Buffer.from('{"name":'),
          Buffer.from(plan.bytes),
          Buffer.from('}'),
        ]),
        type: 'application/json',
      };
    case 'content-type':
      return { payload: Buffer.from('<a>1</a>'), type: plan.type };
    case 'oversized':
      return {
        payload: json({ name: 'big', description: 'x'.repeat(bodyLimit) }),
        type: 'application/json',
      };
  }
}

function authHeader(defect: AuthDefect, ctx: FuzzContext): Record<string, string> {
  const value: Record<AuthDefect, string | undefined> = {
    none: undefined,
    fake: 'Bearer wp_test_notarealkeynotarealkey',
    revoked: `Bearer ${ctx.revokedKey}`,
    basic: `Basic ${ctx.key}`,
    'empty-bearer': 'Bearer',
    huge: `Bearer ${'k'.repeat(8000)}`,
    suffix: `Bearer ${ctx.key}x`,
    sql: `Bearer ${SQL[0]}`,
  };
  const v = value[defect];
  return v === undefined ? {} : { authorization: v };
}

/** A valid body for `route` (so the plan's one defect is the only one). */
function validBody(route: RouteEntry): Buffer | undefined {
  if (route.method === 'GET' || route.method === 'HEAD' || !route.checks.body) return undefined;
  if (route.url === '/api/projects/import') return json({ projects: [] });
  if (route.url === '/api/sync/push') return json({ machine: MACHINE, changes: [] });
  return json(validProject());
}

const ENVELOPES: Record<string, unknown[]> = {
  '/api/projects/import': [
    {},
    { projects: {} },
    { projects: { 0: { name: 'x' } } },
    { projects: Array.from({ length: 10_001 }, () => 0) },
  ],
  '/api/sync/push': [
    { changes: [] },
    { machine: { id: '', name: 'm' }, changes: [] },
    { machine: { id: 'x'.repeat(201), name: 'm' }, changes: [] },
    { machine: { id: 'm', name: {} }, changes: [] },
    { machine: MACHINE, changes: {} },
    { machine: MACHINE, changes: [{ uuid: FUZZ_UUID, base_rev: -1 }] },
    { machine: MACHINE, changes: [{ uuid: FUZZ_UUID, base_rev: 'abc' }] },
    { machine: MACHINE, changes: [{ uuid: FUZZ_UUID, base_rev: 1.5 }] },
    { machine: MACHINE, changes: [{ uuid: 'u'.repeat(101), base_rev: 0 }] },
    { machine: MACHINE, changes: [{ uuid: FUZZ_UUID, base_rev: 0, deleted: 'maybe' }] },
    {
      machine: MACHINE,
      changes: Array.from({ length: PUSH_MAX_BATCH + 1 }, () => ({ uuid: 'x', base_rev: 0 })),
    },
    { machine: MACHINE, changes: [], checkouts: [{ uuid: FUZZ_UUID, path: {} }] },
    { machine: { id: 'm', name: 'laptop\u001b]0;owned\u0007' }, changes: [] },
    { machine: { id: 'm\u0000', name: 'm' }, changes: [] },
    { machine: MACHINE, changes: [], checkouts: [{ uuid: FUZZ_UUID, path: '/home/x\u0085' }] },
  ],
};

/**
 * Turns a plan into a request. A plan whose defect does not apply to its route is moved to the
 * next route where it does (so every route gets every defect that applies to it).
 */
export function toRequest(
  plan: Plan,
  routes: RouteEntry[],
  ctx: FuzzContext,
  bodyLimit: number,
): FuzzRequest {
  const applies = (r: RouteEntry): boolean => {
    const writes = r.method !== 'GET' && r.method !== 'HEAD';
    switch (plan.defect) {
      case 'auth':
        // The two routes open without a key, like the original work-prod's.
        return r.url !== '/api/health' && r.url !== '/api/openapi.json';
      case 'method':
        return !routes.some((o) => o.url === r.url && o.method === plan.method);
      case 'body':
        return writes && r.checks.body;
      case 'raw':
        return writes;
      case 'id':
        return r.url.includes(':id');
      case 'query':
        return QUERY_DEFECTS[r.url] !== undefined && r.checks.querystring;
      case 'envelope':
        return r.method === 'POST' && ENVELOPES[r.url] !== undefined;
      case 'items':
        return r.url === '/api/projects/import' || r.url === '/api/sync/push';
    }
  };
  let index = plan.route;
  for (let i = 0; i < routes.length && !applies(routes[index]!); i++)
    index = (index + 1) % routes.length;
  const route = routes[index]!;
  if (!applies(route)) throw new Error(`no route takes the defect ${plan.defect}`);

  const ownId = ctx.ownIds[plan.route % ctx.ownIds.length]!;
  let path = route.url.replace(':id', String(ownId));
  const headers: Record<string, string> = { authorization: ctx.auth };
  let payload = validBody(route);
  let method = route.method;
  let expect: FuzzRequest['expect'] = 'reject';
  let defect: string = plan.defect;
  const setBody = (b: { payload: Buffer; type: string }) => {
    payload = b.payload;
    headers['content-type'] = b.type;
  };
  if (payload) headers['content-type'] = 'application/json';

  switch (plan.defect) {
    case 'auth': {
      delete headers.authorization;
      Object.assign(headers, authHeader(plan.auth, ctx));
      if (route.method !== 'GET' && route.method !== 'HEAD' && route.checks.body)
        setBody(bodyWith(route, plan.body));
      expect = 'auth';
      defect = `auth:${plan.auth}`;
      break;
    }
    case 'method':
      method = plan.method;
      defect = `method:${plan.method}`;
      break;
    case 'body':
      setBody(bodyWith(route, plan.body));
      defect = `body:${plan.body.kind}`;
      break;
    case 'raw':
      setBody(rawBody(plan.raw, bodyLimit));
      defect = `raw:${plan.raw.kind}`;
      break;
    case 'id': {
      const id =
        plan.id.kind === 'other'
          ? String(ctx.otherId)
          : plan.id.kind === 'missing'
            ? ''
            : encodeURIComponent(plan.id.text);
      path = route.url.replace(':id', id);
      defect = `id:${plan.id.kind}`;
      break;
    }
    case 'query': {
      const options = QUERY_DEFECTS[route.url]!;
      path += `?${options[plan.query % options.length]}`;
      break;
    }
    case 'envelope': {
      const options = ENVELOPES[route.url]!;
      setBody({ payload: json(options[plan.envelope % options.length]), type: 'application/json' });
      break;
    }
    case 'items': {
      const items = plan.items.map((item) => {
        // Spliced in as text below: JSON.stringify would recurse as deep as the value.
        if ('deep' in item) return `@deep:${item.deep}@`;
        if ('unknownCheckout' in item) return undefined;
        const [field, value] = item.field;
        // A pushed record has no uuid or path among its fields (extra keys are ignored there).
        const pushField = field === 'uuid' || field === 'path' ? 'status' : field;
        return route.url === '/api/sync/push'
          ? { ...validFields(), [pushField]: value }
          : { ...validProject(), [field]: value };
      });
      const body =
        route.url === '/api/sync/push'
          ? {
              machine: MACHINE,
              changes: items
                .filter((i) => i !== undefined)
                .map((fields) => ({ uuid: FUZZ_UUID, base_rev: 0, fields })),
              checkouts: items.some((i) => i === undefined)
                ? [{ uuid: FUZZ_UUID, path: '/x' }]
                : [],
            }
          : { projects: items.filter((i) => i !== undefined) };
      const text = JSON.stringify(body).replace(
        /"@deep:(\d+)@"/g,
        (_, depth: string) => `{"name":${deepJson(Number(depth))}}`,
      );
      setBody({ payload: Buffer.from(text), type: 'application/json' });
      expect = 'items';
      break;
    }
  }
  return {
    method,
    url: path,
    headers,
    ...(payload ? { payload } : {}),
    expect,
    defect,
    route: `${route.method} ${route.url}`,
  };
}
