/** Query parameters that carry credentials (the WebSocket `?token=`): never logged. */
const SECRET_PARAMS = /([?&](?:token|access_token|key|api_key)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, "$1[redacted]");
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
}

/** How a request appears in logs: method, URL without credentials, host and client address; never headers or bodies. */
export function requestSerializer(req: LoggedRequest) {
  return { method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip };
}
