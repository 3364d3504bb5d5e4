// Plain HTTP for the API server and the coordinator, used only when their URL is http:// (tests).
// Not `import … from "node:http"`: building that module's ESM namespace reads every export,
// including the lazy getters (WebSocket, …) that load undici, and costs the sidecar about 5 MiB
// of resident memory it never uses. getBuiltinModule hands back the CommonJS exports untouched.
import type * as Http from "node:http";

export function plainHttp(): typeof Http {
  return process.getBuiltinModule("node:http");
}
