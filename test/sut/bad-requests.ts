// The table of bad (and tricky) requests, shared by the in-process route tests and the
// integration test over a real socket on real Postgres: each row has its exact status and code.

export interface RequestCase {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  code?: string; // error code when status >= 400
}

export interface CaseTokens {
  token: string;
  expiredToken: string;
  forgedToken: string;
  adminToken: string;
  /** User 1's token signed with the constant the SUT once fell back to: must be refused. */
  oldSecretToken: string;
  bodyLimitBytes: number;
  /** A user id that exists but belongs to no team yet is not needed: ids below are seeded ones. */
}

const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const NO_SUCH_ID = '987654321';

export function badRequests(t: CaseTokens): RequestCase[] {
  const auth = { ...json, ...bearer(t.token) };
  const admin = { ...json, ...bearer(t.adminToken) };
  const post = (
    name: string,
    path: string,
    body: string,
    status: number,
    code?: string,
    headers: Record<string, string> = auth,
  ): RequestCase => ({
    name,
    method: 'POST',
    path,
    headers,
    body,
    status,
    code,
  });
  return [
    // ids
    { name: 'id not a number', method: 'GET', path: '/api/users/abc', status: 400, code: 'SUT_VALIDATION' },
    { name: 'negative id', method: 'GET', path: '/api/users/-1', status: 400, code: 'SUT_VALIDATION' },
    { name: 'zero id', method: 'GET', path: '/api/users/0', status: 400, code: 'SUT_VALIDATION' },
    { name: 'id 1e309 (Infinity)', method: 'GET', path: '/api/users/1e309', status: 400, code: 'SUT_VALIDATION' },
    { name: 'fractional id', method: 'GET', path: '/api/users/1.5', status: 400, code: 'SUT_VALIDATION' },
    {
      name: 'id beyond 2^53',
      method: 'GET',
      path: '/api/users/99999999999999999999',
      status: 400,
      code: 'SUT_VALIDATION',
    },
    { name: 'id with leading zero', method: 'GET', path: '/api/users/007', status: 400, code: 'SUT_VALIDATION' },
    {
      name: 'SQL in id',
      method: 'GET',
      path: '/api/users/1%27%20OR%20%271%27=%271',
      status: 400,
      code: 'SUT_VALIDATION',
    },
    {
      name: 'broken percent-encoding in id',
      method: 'GET',
      path: '/api/users/%E0%A4%A',
      status: 400,
      code: 'SUT_VALIDATION',
    },
    { name: 'unknown user id', method: 'GET', path: `/api/users/${NO_SUCH_ID}`, status: 404, code: 'SUT_NOT_FOUND' },
    { name: 'unknown team id', method: 'GET', path: `/api/teams/${NO_SUCH_ID}`, status: 404, code: 'SUT_NOT_FOUND' },
    { name: 'team id not a number', method: 'GET', path: '/api/teams/x', status: 400, code: 'SUT_VALIDATION' },
    // paging and search
    { name: 'limit 0', method: 'GET', path: '/api/users?limit=0', status: 400, code: 'SUT_VALIDATION' },
    { name: 'limit over 100', method: 'GET', path: '/api/users?limit=101', status: 400, code: 'SUT_VALIDATION' },
    { name: 'limit not a number', method: 'GET', path: '/api/users?limit=ten', status: 400, code: 'SUT_VALIDATION' },
    { name: 'negative offset', method: 'GET', path: '/api/users?offset=-5', status: 400, code: 'SUT_VALIDATION' },
    {
      name: 'offset and cursor',
      method: 'GET',
      path: '/api/users?offset=1&cursor=2',
      status: 400,
      code: 'SUT_VALIDATION',
    },
    { name: 'cursor not an id', method: 'GET', path: '/api/users?cursor=abc', status: 400, code: 'SUT_VALIDATION' },
    { name: 'search without q', method: 'GET', path: '/api/users/search', status: 400, code: 'SUT_VALIDATION' },
    { name: 'search with empty q', method: 'GET', path: '/api/users/search?q=', status: 400, code: 'SUT_VALIDATION' },
    { name: 'search with NUL', method: 'GET', path: '/api/users/search?q=a%00b', status: 400, code: 'SUT_VALIDATION' },
    {
      name: 'search q too long',
      method: 'GET',
      path: `/api/users/search?q=${'x'.repeat(101)}`,
      status: 400,
      code: 'SUT_VALIDATION',
    },
    {
      name: 'search with SQL metacharacters finds nothing',
      method: 'GET',
      path: '/api/users/search?q=%27%20OR%201%3D1%20--',
      status: 200,
    },
    {
      name: 'search with LIKE wildcards finds nothing',
      method: 'GET',
      path: '/api/users/search?q=%25_%25',
      status: 200,
    },
    { name: 'search with unicode', method: 'GET', path: '/api/users/search?q=%C3%9Cnï%F0%9F%98%80', status: 200 },
    // auth
    post('create user without token', '/api/users', '{}', 401, 'SUT_UNAUTHORIZED', json),
    post('create user with forged token', '/api/users', '{}', 401, 'SUT_UNAUTHORIZED', {
      ...json,
      ...bearer(t.forgedToken),
    }),
    post('create user with expired token', '/api/users', '{}', 401, 'SUT_TOKEN_EXPIRED', {
      ...json,
      ...bearer(t.expiredToken),
    }),
    post('create user with Basic auth', '/api/users', '{}', 401, 'SUT_UNAUTHORIZED', {
      ...json,
      authorization: 'Basic dXNlcjpwYXNz',
    }),
    post(
      'login with wrong password',
      '/api/auth/login',
      '{"email":"user1@example.test","password":"wrong-password"}',
      401,
      'SUT_UNAUTHORIZED',
      json,
    ),
    post(
      'login with unknown email',
      '/api/auth/login',
      '{"email":"nobody@example.test","password":"loadlab-demo"}',
      401,
      'SUT_UNAUTHORIZED',
      json,
    ),
    post('login without password', '/api/auth/login', '{"email":"user1@example.test"}', 400, 'SUT_VALIDATION', json),
    post('admin flush without token', '/admin/cache/flush', '', 401, 'SUT_UNAUTHORIZED', {}),
    post('admin flush with a user token', '/admin/cache/flush', '', 403, 'SUT_FORBIDDEN', bearer(t.token)),
    // bodies
    post('text/plain body', '/api/users', '{"email":"a@b.test"}', 415, 'SUT_UNSUPPORTED_MEDIA_TYPE', {
      ...bearer(t.token),
      'content-type': 'text/plain',
    }),
    post('no content type', '/api/users', '{"email":"a@b.test"}', 415, 'SUT_UNSUPPORTED_MEDIA_TYPE', bearer(t.token)),
    post('broken JSON', '/api/users', '{"email":', 400, 'SUT_BAD_JSON'),
    post('empty JSON body', '/api/users', '', 400, 'SUT_BAD_JSON'),
    post('JSON array body', '/api/users', '[]', 400, 'SUT_VALIDATION'),
    post('JSON null body', '/api/users', 'null', 400, 'SUT_VALIDATION'),
    post('wrong field types', '/api/users', '{"email":5,"name":true,"password":[]}', 400, 'SUT_VALIDATION'),
    post(
      'invalid email',
      '/api/users',
      '{"email":"not-an-email","name":"A","password":"long-enough"}',
      400,
      'SUT_VALIDATION',
    ),
    post(
      'NUL in name',
      '/api/users',
      '{"email":"nul@example.test","name":"a\\u0000b","password":"long-enough"}',
      400,
      'SUT_VALIDATION',
    ),
    post(
      'unknown field',
      '/api/users',
      '{"email":"x@example.test","name":"A","password":"long-enough","admin":true}',
      400,
      'SUT_VALIDATION',
    ),
    post(
      'password too short',
      '/api/users',
      '{"email":"x@example.test","name":"A","password":"short"}',
      400,
      'SUT_VALIDATION',
    ),
    post(
      'duplicate email',
      '/api/users',
      '{"email":"USER1@example.test","name":"Dup","password":"long-enough"}',
      409,
      'SUT_CONFLICT',
    ),
    post(
      'body over the limit',
      '/api/users',
      JSON.stringify({ name: 'x'.repeat(t.bodyLimitBytes) }),
      413,
      'SUT_BODY_TOO_LARGE',
    ),
    {
      name: 'update with empty patch',
      method: 'PUT',
      path: '/api/users/1',
      headers: auth,
      body: '{}',
      status: 400,
      code: 'SUT_VALIDATION',
    },
    {
      name: 'update unknown user (admin token)',
      method: 'PUT',
      path: `/api/users/${NO_SUCH_ID}`,
      headers: admin,
      body: '{"name":"X"}',
      status: 404,
      code: 'SUT_NOT_FOUND',
    },
    {
      name: 'update to a taken email',
      method: 'PUT',
      path: '/api/users/1',
      headers: auth,
      body: '{"email":"user2@example.test"}',
      status: 409,
      code: 'SUT_CONFLICT',
    },
    {
      name: 'delete unknown user (admin token)',
      method: 'DELETE',
      path: `/api/users/${NO_SUCH_ID}`,
      headers: bearer(t.adminToken),
      status: 404,
      code: 'SUT_NOT_FOUND',
    },
    // ownership: user 1's token, which owns seeded team 1 and nothing else
    {
      name: 'update another user',
      method: 'PUT',
      path: '/api/users/2',
      headers: auth,
      body: '{"name":"Not Mine"}',
      status: 403,
      code: 'SUT_FORBIDDEN',
    },
    {
      name: 'update an unknown user (not oneself)',
      method: 'PUT',
      path: `/api/users/${NO_SUCH_ID}`,
      headers: auth,
      body: '{"name":"X"}',
      status: 403,
      code: 'SUT_FORBIDDEN',
    },
    {
      name: 'delete another user',
      method: 'DELETE',
      path: '/api/users/2',
      headers: bearer(t.token),
      status: 403,
      code: 'SUT_FORBIDDEN',
    },
    post('add a member to a team one does not run', '/api/teams/2/members', '{"userId":3}', 403, 'SUT_FORBIDDEN'),
    post('the admin token opens a write (then the body is checked)', '/api/users', '{}', 400, 'SUT_VALIDATION', admin),
    post(
      'a token signed with the old built-in secret',
      '/api/teams',
      '{"name":"Old Secret"}',
      401,
      'SUT_UNAUTHORIZED',
      { ...json, ...bearer(t.oldSecretToken) },
    ),
    // control characters (U+0000–U+001F, U+007F) and lone surrogates in any text field or query: 400, never a 500
    post(
      'login with NUL in email',
      '/api/auth/login',
      '{"email":"a\\u0000b@example.test","password":"loadlab-demo"}',
      400,
      'SUT_VALIDATION',
      json,
    ),
    post(
      'login with NUL in a seeded email',
      '/api/auth/login',
      '{"email":"user1@example.test\\u0000","password":"loadlab-demo"}',
      400,
      'SUT_VALIDATION',
      json,
    ),
    post(
      'login with a newline in the password',
      '/api/auth/login',
      '{"email":"user1@example.test","password":"loadlab-demo\\n"}',
      400,
      'SUT_VALIDATION',
      json,
    ),
    post(
      'BEL in name',
      '/api/users',
      '{"email":"bel@example.test","name":"a\\u0007b","password":"long-enough"}',
      400,
      'SUT_VALIDATION',
    ),
    post(
      'trailing newline in name (refused, not trimmed)',
      '/api/users',
      '{"email":"nl@example.test","name":"Ann\\n","password":"long-enough"}',
      400,
      'SUT_VALIDATION',
    ),
    post(
      'DEL in email',
      '/api/users',
      '{"email":"d\\u007fl@example.test","name":"A","password":"long-enough"}',
      400,
      'SUT_VALIDATION',
    ),
    post(
      'NUL in password',
      '/api/users',
      '{"email":"pw@example.test","name":"A","password":"long\\u0000enough"}',
      400,
      'SUT_VALIDATION',
    ),
    post(
      'lone surrogate in name',
      '/api/users',
      '{"email":"ls@example.test","name":"a\\ud800b","password":"long-enough"}',
      400,
      'SUT_VALIDATION',
    ),
    {
      name: 'update with a tab in name',
      method: 'PUT',
      path: '/api/users/1',
      headers: auth,
      body: '{"name":"Tab\\tbed"}',
      status: 400,
      code: 'SUT_VALIDATION',
    },
    {
      name: 'update with NUL in email',
      method: 'PUT',
      path: '/api/users/1',
      headers: auth,
      body: '{"email":"user1\\u0000@example.test"}',
      status: 400,
      code: 'SUT_VALIDATION',
    },
    post('team with ESC in name', '/api/teams', '{"name":"\\u001b[31mRed"}', 400, 'SUT_VALIDATION'),
    {
      name: 'search with a newline',
      method: 'GET',
      path: '/api/users/search?q=a%0A',
      status: 400,
      code: 'SUT_VALIDATION',
    },
    { name: 'search with DEL', method: 'GET', path: '/api/users/search?q=a%7Fb', status: 400, code: 'SUT_VALIDATION' },
    post('member with string userId', '/api/teams/1/members', '{"userId":"abc"}', 400, 'SUT_VALIDATION'),
    post('member with bad role', '/api/teams/1/members', '{"userId":2,"role":"king"}', 400, 'SUT_VALIDATION'),
    post('member of unknown team', `/api/teams/${NO_SUCH_ID}/members`, '{"userId":2}', 404, 'SUT_NOT_FOUND'),
    post('unknown member', '/api/teams/1/members', `{"userId":${NO_SUCH_ID}}`, 422, 'SUT_UNPROCESSABLE'),
    post('team with empty name', '/api/teams', '{"name":"   "}', 400, 'SUT_VALIDATION'),
    // routes and methods
    { name: 'unknown route', method: 'GET', path: '/api/nope', status: 404, code: 'SUT_ROUTE_NOT_FOUND' },
    {
      name: 'wrong method on a user',
      method: 'PATCH',
      path: '/api/users/1',
      headers: auth,
      body: '{}',
      status: 405,
      code: 'SUT_METHOD_NOT_ALLOWED',
    },
    { name: 'wrong method on health', method: 'DELETE', path: '/health', status: 405, code: 'SUT_METHOD_NOT_ALLOWED' },
  ];
}
