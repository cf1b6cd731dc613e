import { describe, expect, it } from "vitest";
import { mention } from "../test/fixtures";
import { locate, segments } from "./highlight";

const plain = (text: string, ms: Parameters<typeof segments>[1], focus?: string) =>
  segments(text, ms, focus).map((s) => [s.text, s.polarity, s.focus]);

describe("clause highlighting", () => {
  it("marks each clause where it occurs and leaves the rest plain", () => {
    const text = "배송은 빨랐어요. 사이즈가 작아요.";
    expect(plain(text, [mention("delivery", "positive", "배송은 빨랐어요"), mention("size", "negative", "사이즈가 작아요")])).toEqual([
      ["배송은 빨랐어요", "positive", false],
      [". ", null, false],
      ["사이즈가 작아요", "negative", false],
      [".", null, false],
    ]);
  });

  it("joins the runs back into the original text", () => {
    const text = "가격 대비 품질이 좋고 디자인도 예뻐요";
    const segs = segments(text, [mention("price", "positive", "가격 대비 품질이 좋고"), mention("design", "positive", "디자인도 예뻐요")]);
    expect(segs.map((s) => s.text).join("")).toBe(text);
  });

  it("paints overlaps negative over positive over neutral and lists every covering mention", () => {
    const text = "색상은 예쁜데 마감이 별로예요";
    const segs = segments(text, [mention("design", "positive", "색상은 예쁜데 마감이"), mention("quality", "negative", "마감이 별로예요")]);
    expect(segs.map((s) => [s.text, s.polarity, s.mentions.map((m) => m.aspect_id)])).toEqual([
      ["색상은 예쁜데 ", "positive", ["design"]],
      ["마감이", "negative", ["design", "quality"]],
      [" 별로예요", "negative", ["quality"]],
    ]);
  });

  it("finds a clause whose spacing differs, and skips one that is not in the text", () => {
    expect(locate("배송이   정말 빨라요!", "배송이 정말 빨라요")).toEqual([0, 12]);
    expect(locate("배송이 빨라요", "사이즈")).toBeNull();
    expect(locate("a(b)", "(b)")).toEqual([1, 4]);
    expect(plain("배송이 빨라요", [mention("size", "negative", "사이즈 작음"), mention("size", "neutral", "  ")])).toEqual([
      ["배송이 빨라요", null, false],
    ]);
  });

  it("flags the runs of the focused aspect", () => {
    const segs = segments("포장 좋고 배송 빨라요", [mention("packaging", "positive", "포장 좋고"), mention("delivery", "positive", "배송 빨라요")], "delivery");
    expect(segs.filter((s) => s.focus).map((s) => s.text)).toEqual(["배송 빨라요"]);
    expect(segments("", [])).toEqual([]);
  });
});
