import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { card } from "../test/fixtures";
import { renderApp } from "../test/render";
import { EmotionCardView } from "./EmotionCardView";

afterEach(cleanup);

const delivery = card("aspect:delivery", 20, 15, 4, {
  label: "배송",
  top_phrases: ["배송 빠름", "하루 만에 도착", "포장 꼼꼼", "택배 친절", "다섯 번째"],
  emotions: { satisfaction: 9, disappointment: 3, worry: 0 },
  quotes: [
    { review_uid: "demo:1", text: "배송이 정말 빨라요", polarity: "positive" },
    { review_uid: "demo:2", text: "상자가 찌그러져 왔어요", polarity: "negative" },
    { review_uid: "demo:3", text: "세 번째 인용", polarity: "neutral" },
  ],
  positive_share: 0.75,
  positive_ci: [0.53, 0.89],
});

describe("EmotionCardView", () => {
  it("shows the label, mentions, share with its interval, phrases, emotions and quotes", () => {
    renderApp(<EmotionCardView card={delivery} maxQuotes={2} />);
    const article = screen.getByRole("article", { name: "배송" });
    expect(article.dataset.cardId).toBe("aspect:delivery");
    expect(article.dataset.mentions).toBe("20");
    expect(within(article).getByText("언급 20회")).toBeTruthy();
    expect(within(article).getByText("긍정 75%")).toBeTruthy();
    expect(within(article).getByText("95% 신뢰구간 53%–89%")).toBeTruthy();
    expect(within(article).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "배송 빠름",
      "하루 만에 도착",
      "포장 꼼꼼",
      "택배 친절",
      "만족 9",
      "실망 3",
    ]);
    expect(within(article).getByRole("img").getAttribute("aria-label")).toBe("긍정 15, 부정 4, 중립 1");
    expect(article.querySelectorAll("blockquote")).toHaveLength(2);
  });

  it("uses the English vocabulary label and lets a quote be clicked through", () => {
    const onQuote = vi.fn();
    renderApp(<EmotionCardView card={delivery} onQuote={onQuote} />, { lang: "en" });
    expect(screen.getByRole("heading", { name: "Delivery" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "“상자가 찌그러져 왔어요”" }));
    expect(onQuote).toHaveBeenCalledWith({ review_uid: "demo:2", text: "상자가 찌그러져 왔어요", polarity: "negative" });
  });

  it("lets an emotion chip lead to the card's reviews with that emotion", () => {
    const onEmotion = vi.fn();
    renderApp(<EmotionCardView card={delivery} onEmotion={onEmotion} />);
    fireEvent.click(screen.getByRole("button", { name: "실망 리뷰 3개 보기" }));
    expect(onEmotion).toHaveBeenCalledWith("disappointment");
    // worry has no review in this card: no chip, nothing to click
    expect(screen.queryByRole("button", { name: /걱정/ })).toBeNull();
  });
});
