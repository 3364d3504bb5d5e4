import { describe, expect, it } from "vitest";
import { createLogTail, utf8Tail } from "./log-tail.ts";

const enc = (s: string): Buffer => Buffer.from(s, "utf8");

describe("createLogTail", () => {
  it("when less than the limit is written, then all of it is kept and counted", () => {
    const tail = createLogTail(64);
    tail.write(enc("one\ntwo\n"));
    tail.write(enc("three"));
    expect(tail.text()).toBe("one\ntwo\nthree");
    expect(tail.bytes).toBe(13);
    expect(tail.lines).toBe(3);
  });

  it("when nothing is written, then the tail is empty with zero lines", () => {
    const tail = createLogTail(16);
    expect([tail.text(), tail.bytes, tail.lines]).toEqual(["", 0, 0]);
  });

  it("when more than the limit is written in small chunks, then only the last bytes are kept, in order", () => {
    const tail = createLogTail(10);
    for (let i = 0; i < 100; i++) tail.write(enc(`${i % 10}`));
    expect(tail.text()).toBe("0123456789");
    expect(tail.bytes).toBe(100);
  });

  it("when one chunk is larger than the limit, then its end is kept", () => {
    const tail = createLogTail(4);
    tail.write(enc("ab"));
    tail.write(enc("abcdefgh\n"));
    expect(tail.text()).toBe("fgh\n");
    expect(tail.lines).toBe(1);
  });

  it("when the cut falls inside a multi-byte character, then the partial character is dropped", () => {
    const tail = createLogTail(5);
    tail.write(enc("xé€")); // 1 + 2 + 3 bytes: the last 5 are exactly "é€"
    expect(tail.text()).toBe("é€");
    const cut = createLogTail(4);
    cut.write(enc("xé€"));
    expect(cut.text()).toBe("€");
    expect(Buffer.byteLength(cut.text())).toBeLessThanOrEqual(4);
  });

  it("when the stream ends inside a character, then the incomplete end is dropped rather than replaced", () => {
    const tail = createLogTail(16);
    tail.write(enc("ok €").subarray(0, 4));
    expect(tail.text()).toBe("ok ");
  });

  it("when 200 MB are written, then the kept text stays at the limit and the counts are exact", () => {
    const tail = createLogTail(16 * 1024);
    const line = enc("x".repeat(1023) + "\n");
    const chunk = Buffer.concat(Array.from({ length: 64 }, () => line));
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 3200; i++) tail.write(chunk);
    expect(tail.bytes).toBe(3200 * 64 * 1024);
    expect(tail.lines).toBe(3200 * 64);
    expect(Buffer.byteLength(tail.text())).toBe(16 * 1024);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
  });
});

describe("utf8Tail", () => {
  it("when the bytes are invalid UTF-8, then the text still fits the byte limit", () => {
    const text = utf8Tail(Buffer.alloc(30, 0xff), 30);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(30);
    expect(text).toMatch(/^\uFFFD+$/);
  });
});
