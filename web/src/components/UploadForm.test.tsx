import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp } from "../test/render";
import { UploadForm } from "./UploadForm";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const csv = "작성일,별점,리뷰 내용,메모\n2026-01-02,5,배송 빨라요,a\n2026-01-03,2,사이즈가 작아요,b\n";

function choose(file: File) {
  fireEvent.change(screen.getByTestId("upload-input"), { target: { files: [file] } });
}

describe("UploadForm", () => {
  it("previews a CSV, guesses the mapping and posts it as multipart with the file", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ id: "job-1", status: "queued", links: {} }), { status: 202 }));
    vi.stubGlobal("fetch", fetchMock);
    renderApp(<UploadForm />);
    choose(new File([csv], "reviews.csv", { type: "text/csv" }));
    const text = (await screen.findByLabelText(/리뷰 본문/)) as HTMLSelectElement;
    expect(text.value).toBe("리뷰 내용");
    expect((screen.getByLabelText("별점", { selector: "select" }) as HTMLSelectElement).value).toBe("별점");
    expect(screen.getAllByRole("row")).toHaveLength(3); // header + 2 rows
    // the user moves the text field to another column, then back
    fireEvent.change(text, { target: { value: "메모" } });
    fireEvent.change(text, { target: { value: "리뷰 내용" } });
    fireEvent.click(screen.getByRole("button", { name: "이 설정으로 분석" }));
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/analyses/job-1"));
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/analyses");
    const form = init.body as FormData;
    expect(JSON.parse(String(form.get("mapping")))).toEqual({ text: "리뷰 내용", rating: "별점", date: "작성일" });
    expect((form.get("file") as File).name).toBe("reviews.csv");
  });

  it("blocks submission until a text column is chosen", async () => {
    renderApp(<UploadForm />);
    choose(new File(["col_a,col_b\n1,2\n"], "x.csv"));
    expect(await screen.findByText("리뷰 본문이 들어 있는 열을 골라 주세요.")).toBeTruthy();
    expect((screen.getByRole("button", { name: "이 설정으로 분석" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("asks for typed column names for XLSX and refuses other file types", async () => {
    renderApp(<UploadForm />);
    choose(new File(["PK"], "export.xlsx"));
    expect(await screen.findByText(/이 형식은 미리 볼 수 없습니다/)).toBeTruthy();
    expect((screen.getByRole("button", { name: "이 설정으로 분석" }) as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "다른 파일 고르기" }));
    choose(new File(["%PDF"], "scan.pdf"));
    expect(await screen.findByText("CSV, TSV, JSONL, XLSX 파일만 올릴 수 있습니다.")).toBeTruthy();
  });
});
