/**
 * What the host hands every loader and action (host/src/server/panel.ts builds it). The panel
 * reaches the platform only through `api`, an in-process call of the public `/v1` API: it can do
 * nothing the API would not let the same user do.
 */
export interface PanelApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. `/v1/auth/me`. */
  url: string;
  headers?: Record<string, string>;
  payload?: unknown;
}

export interface PanelApiResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  /** The body's bytes (a PDF a download passes on); `body` is them read as UTF-8. */
  bytes?: Uint8Array;
}

declare module 'react-router' {
  interface AppLoadContext {
    /** Call the host's `/v1` API in-process (same hooks, limits and permission checks as HTTP). */
    api(request: PanelApiRequest): Promise<PanelApiResponse>;
    /** CSP nonce of this response's inline scripts. */
    nonce: string;
  }
}

export {};
