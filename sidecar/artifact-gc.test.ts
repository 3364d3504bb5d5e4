import { describe, expect, it } from "vitest";
import { storeAnswer } from "./artifact-gc.ts";

describe("storeAnswer", () => {
  it("when the SDK names the error and the HTTP status, then both are kept", () => {
    const error = Object.assign(new Error("Access Denied"), {
      name: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
    });
    expect(storeAnswer(error)).toBe("AccessDenied: Access Denied (HTTP 403)");
  });

  it("when the store cannot be reached, then the network error's words are kept", () => {
    expect(storeAnswer(new Error("connect ECONNREFUSED 10.250.0.1:8333"))).toBe(
      "connect ECONNREFUSED 10.250.0.1:8333",
    );
  });
});
