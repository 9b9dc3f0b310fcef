// Talking to the dashboard's JSON API (same origin: the token cookie, if any, goes along).

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(json.error ?? `${response.status} ${response.statusText}`, response.status);
  return json;
}

/** `/api/messages?type=…` from an object, leaving out empty values. */
export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export const blobUrl = (location) => `/blobs/${encodeURIComponent(location.Bucket)}/${location.Key.split('/').map(encodeURIComponent).join('/')}`;
export const messageHref = (id) => `#/messages/${encodeURIComponent(id)}`;
export const searchHref = (query) => withQuery('#/messages', query);
