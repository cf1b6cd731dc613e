import { describe, expect, it } from "vitest";
import {
  buildUploadForm,
  checkMapping,
  fileKind,
  guessMapping,
  normaliseHeader,
  parseDelimited,
  previewText,
  readBlobText,
  sniffDelimiter,
} from "./mapping";

describe("upload file kinds", () => {
  it("previews delimited and JSONL files, not XLSX or gzip", () => {
    expect(fileKind("reviews.CSV")).toEqual({ format: "csv", gzip: false, previewable: true });
    expect(fileKind("r.tsv")?.format).toBe("tsv");
    expect(fileKind("r.jsonl")?.previewable).toBe(true);
    expect(fileKind("r.xlsx")).toEqual({ format: "xlsx", gzip: false, previewable: false });
    expect(fileKind("r.csv.gz")).toEqual({ format: "csv", gzip: true, previewable: false });
    expect(fileKind("r.pdf")).toBeNull();
    expect(fileKind("noext")).toBeNull();
  });
});

describe("reading the header and first rows", () => {
  it("handles quotes, doubled quotes, newlines in cells, CRLF and a BOM", () => {
    const text = '\ufeff리뷰내용,별점\r\n"좋아요, 정말",5\r\n"줄바꿈\n있음",4\r\n"따옴표 ""인용""",3\r\n';
    expect(parseDelimited(text, ",", 10)).toEqual([
      ["리뷰내용", "별점"],
      ["좋아요, 정말", "5"],
      ["줄바꿈\n있음", "4"],
      ['따옴표 "인용"', "3"],
    ]);
    expect(parseDelimited(text, ",", 2)).toHaveLength(2);
  });

  it("sniffs the delimiter of a CSV header and previews a few rows", () => {
    expect(sniffDelimiter("a;b;c", "csv")).toBe(";");
    expect(sniffDelimiter("a\tb", "csv")).toBe("\t");
    expect(sniffDelimiter("only", "csv")).toBe(",");
    const csv = ["날짜;내용", ...Array.from({ length: 8 }, (_, i) => `2026-01-0${i + 1};리뷰 ${i}`)].join("\n");
    const p = previewText(csv, "csv", 3);
    expect(p.columns).toEqual(["날짜", "내용"]);
    expect(p.rows).toEqual([["2026-01-01", "리뷰 0"], ["2026-01-02", "리뷰 1"], ["2026-01-03", "리뷰 2"]]);
    expect(previewText("a\tb\n1\t2\n", "tsv").rows).toEqual([["1", "2"]]);
  });

  it("previews JSONL with the union of the keys, skipping broken lines", () => {
    const text = '{"review": "좋아요", "stars": 5}\nnot json\n[1,2]\n{"review": "별로", "date": "2026-01-02", "meta": {"a": 1}}\n';
    expect(previewText(text, "jsonl")).toEqual({
      columns: ["review", "stars", "date", "meta"],
      rows: [
        ["좋아요", "5", "", ""],
        ["별로", "", "2026-01-02", '{"a":1}'],
      ],
    });
  });

  it("stops at the row limit even when the chunk read was cut mid-line", () => {
    const p = previewText('text,rating\n"a",1\n"b",2\n"c",3\n"d', "csv", 2);
    expect(p.rows).toEqual([["a", "1"], ["b", "2"]]);
  });
});

describe("column mapping", () => {
  it("normalises headers like the server", () => {
    expect(normaliseHeader(" Review_Text ")).toBe("reviewtext");
    expect(normaliseHeader("리뷰 내용")).toBe("리뷰내용");
  });

  it("guesses fields from English and Korean headers, using a column once", () => {
    expect(guessMapping(["작성일자", "평점", "리뷰 내용", "닉네임", "옵션"])).toEqual({
      date: "작성일자",
      rating: "평점",
      text: "리뷰 내용",
      author: "닉네임",
      option: "옵션",
    });
    expect(guessMapping(["Review Text", "Stars", "created_at", "id"])).toEqual({
      text: "Review Text",
      rating: "Stars",
      date: "created_at",
      id: "id",
    });
    expect(guessMapping(["col1", "col2"])).toEqual({});
  });

  it("reports a missing text column, a column used twice and an unknown column", () => {
    expect(checkMapping({ rating: "별점" }, ["별점", "내용"])).toEqual([{ kind: "needText" }]);
    expect(checkMapping({ text: "내용", title: "내용" }, ["내용"])).toEqual([{ kind: "duplicate", column: "내용" }]);
    expect(checkMapping({ text: "본문" }, ["내용"])).toEqual([{ kind: "unknownColumn", column: "본문" }]);
    // XLSX: columns unknown here, so typed names are trusted and the server detects the text column
    expect(checkMapping({}, null)).toEqual([]);
    expect(checkMapping({ text: "리뷰" }, ["리뷰"])).toEqual([]);
  });

  it("builds the multipart form with only the chosen fields", async () => {
    const file = new Blob(["리뷰내용\n좋아요\n"], { type: "text/csv" });
    const form = buildUploadForm(file, "리뷰.csv", { text: "리뷰내용", rating: " ", date: undefined }, 10);
    expect(JSON.parse(String(form.get("mapping")))).toEqual({ text: "리뷰내용" });
    expect(form.get("rating_scale")).toBe("10");
    const sent = form.get("file") as File;
    expect(sent.name).toBe("리뷰.csv");
    expect(await readBlobText(sent)).toBe("리뷰내용\n좋아요\n");
  });
});
