import { describe, expect, it } from "vitest";
import {
  activeFilterCount,
  EMPTY_FILTERS,
  filtersFromSearch,
  filtersToQuery,
  filtersToSearch,
  MAX_REVIEW_IDS,
  monthRange,
} from "./filters";

describe("review filters in the URL", () => {
  it("round-trip through the query string", () => {
    const f = {
      sentiment: "negative" as const,
      aspect: "topic:향기",
      rating: 2,
      q: "사이즈",
      from: "2026-01-01",
      to: "2026-01-31",
      page: 3,
      emotion: "anger",
      ids: ["demo:r9", "demo:r1"],
    };
    expect(filtersFromSearch(filtersToSearch(f))).toEqual(f);
    expect(filtersToSearch(EMPTY_FILTERS).toString()).toBe("");
    expect(activeFilterCount(f)).toBe(8);
  });

  it("drop values the API would refuse", () => {
    const f = filtersFromSearch(
      new URLSearchParams("sentiment=angry&rating=9&page=-2&from=yesterday&emotion=happy&ids=,%20,&q=" + "가".repeat(300)),
    );
    expect(f).toEqual({ ...EMPTY_FILTERS, q: "가".repeat(200) });
  });

  it("keep review ids distinct and within the API's limit", () => {
    const many = Array.from({ length: MAX_REVIEW_IDS + 20 }, (_, i) => `demo:r${i % (MAX_REVIEW_IDS + 10)}`);
    const f = filtersFromSearch(new URLSearchParams({ ids: [" demo:x ", "demo:x", ...many].join(",") }));
    expect(f.ids).toHaveLength(MAX_REVIEW_IDS);
    expect(f.ids.slice(0, 3)).toEqual(["demo:x", "demo:r0", "demo:r1"]);
    const query = filtersToQuery({ ...EMPTY_FILTERS, ids: many });
    expect(query.review_ids?.split(",")).toHaveLength(MAX_REVIEW_IDS);
  });

  it("become the API query with whole days", () => {
    expect(filtersToQuery({ ...EMPTY_FILTERS, aspect: "size", from: "2026-02-01", to: "2026-02-28", page: 2 }, 20)).toEqual({
      page: 2,
      page_size: 20,
      aspect: "size",
      date_from: "2026-02-01T00:00:00Z",
      date_to: "2026-02-28T23:59:59Z",
    });
    expect(filtersToQuery({ ...EMPTY_FILTERS, emotion: "joy", ids: ["demo:a", "demo:b"] })).toEqual({
      page: 1,
      page_size: 20,
      emotion: "joy",
      review_ids: "demo:a,demo:b",
    });
  });

  it("a month becomes its first and last day", () => {
    expect(monthRange("2024-02")).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(monthRange("2025-12")).toEqual({ from: "2025-12-01", to: "2025-12-31" });
  });
});
