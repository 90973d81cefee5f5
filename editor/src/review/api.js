/**
 * The review API (server/api, `/api/v1`): comment threads of one card, kept in the database and
 * not in the live document. Same-origin JSON with the session cookie; writes carry the page's
 * CSRF token in `X-CSRF-Token`, as every script of the app does.
 */

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {string} code the server's error code (`network` when unreachable)
   * @param {string} message for the person: the server's, already in the page language
   * @param {string|null} [field] the request field the server refused, if it said
   */
  constructor(status, code, message, field = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/**
 * @param {object} options
 * @param {number} options.cardId
 * @param {string} options.csrf
 * @param {string} options.unreachable the message shown when there is no answer at all
 * @param {typeof fetch} [options.fetch]
 */
export function reviewApi({ cardId, csrf, unreachable, lang = 'ar', fetch: get = globalThis.fetch?.bind(globalThis) }) {
  const request = async (method, path, body) => {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await get(`/api/v1${path}`, {
        method, credentials: 'same-origin', headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network', unreachable);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      // Every API error is {"error": code, "message": text, "field"?: where}.
      const code = typeof data?.error === 'string' ? data.error : 'error';
      throw new ApiError(response.status, code, data?.message || unreachable, data?.field ?? null);
    }
    return data;
  };
  return {
    /** @returns {Promise<object[]>} every thread of the card (open, resolved, detached), in document order */
    async threads() {
      const data = await request('GET', `/cards/${cardId}/threads?status=all`);
      return Array.isArray(data?.threads) ? data.threads : [];
    },
    /** @returns {Promise<object[]>} the people who can be mentioned on the card */
    async mentionable() {
      const data = await request('GET', `/cards/${cardId}/mentionable`);
      // Organisations come with every language's name; the mention list shows the page's.
      return (Array.isArray(data?.members) ? data.members : []).map((m) => ({
        ...m,
        organisation: typeof m.organisation === 'string' ? m.organisation
          : (m.organisation?.[lang] || m.organisation?.fr || m.organisation?.ar || ''),
      }));
    },
    /** {field, row, column, body, quote?, anchor?} -> THREAD */
    create: (payload) => request('POST', `/cards/${cardId}/threads`, payload),
    reply: (threadId, body) => request('POST', `/threads/${threadId}/comments`, { body }),
    edit: (commentId, body) => request('PATCH', `/comments/${commentId}`, { body }),
    remove: (commentId) => request('DELETE', `/comments/${commentId}`),
    resolve: (threadId) => request('POST', `/threads/${threadId}/resolve`),
    reopen: (threadId) => request('POST', `/threads/${threadId}/reopen`),
  };
}
