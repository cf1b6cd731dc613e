import { describe, expect, it } from "vitest";
import { checkProductUrl } from "./urlCheck";

describe("product URL check", () => {
  it("accepts http(s) product pages, reading a bare host as https", () => {
    expect(checkProductUrl(" http://127.0.0.1:8000/demo/products/tee ")).toEqual({ ok: true, url: "http://127.0.0.1:8000/demo/products/tee" });
    expect(checkProductUrl("shop.example.com/p/1")).toEqual({ ok: true, url: "https://shop.example.com/p/1" });
    expect(checkProductUrl("http://localhost:8000/x").ok).toBe(true);
  });

  it("names what is wrong", () => {
    expect(checkProductUrl("")).toEqual({ ok: false, message: "urlEmpty" });
    expect(checkProductUrl("not a url")).toEqual({ ok: false, message: "urlInvalid" });
    expect(checkProductUrl("hello")).toEqual({ ok: false, message: "urlInvalid" });
    expect(checkProductUrl("ftp://shop.example.com/x")).toEqual({ ok: false, message: "urlScheme" });
    expect(checkProductUrl("javascript:alert(1)")).toEqual({ ok: false, message: "urlScheme" });
    expect(checkProductUrl("https://user:pw@shop.example.com/")).toEqual({ ok: false, message: "urlCredentials" });
  });
});
