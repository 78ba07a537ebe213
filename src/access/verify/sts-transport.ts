/**
 * How the verifier reaches STS. Production uses `fetch` with a timeout and no redirects; tests
 * inject a transport that answers like STS (see testing/sts-standin.ts). The transport is only
 * ever handed a URL that already passed the host allow-list.
 */
export interface StsResponse {
  status: number;
  /** Reading the body may fail (a connection cut mid-body); the verifier reports that. */
  text(): Promise<string>;
}

export interface StsRequest {
  headers: Record<string, string>;
  signal: AbortSignal;
}

export type StsTransport = (url: string, request: StsRequest) => Promise<StsResponse>;

/**
 * The real transport. `redirect: 'manual'` returns a 3xx as it is: following a redirect would let
 * whoever answers it decide the identity.
 */
export const fetchStsTransport: StsTransport = async (url, request) => {
  const response = await fetch(url, {
    method: 'GET',
    headers: request.headers,
    redirect: 'manual',
    signal: request.signal,
  });
  return { status: response.status, text: () => response.text() };
};
