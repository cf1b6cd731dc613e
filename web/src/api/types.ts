// Names for the generated API and event types, so the rest of the app never spells a schema path.
// Nothing here re-declares a backend model: every shape comes from ./generated.
import type { components, operations } from "./generated/openapi";
import type {
  CancelledData,
  CompletedData,
  EmotionCard as EventCard,
  Envelope,
  FailedData,
  ProgressData,
  StageData,
} from "./generated/events";

type Schemas = components["schemas"];

export type Job = Schemas["Job"];
export type JobStatus = Job["status"];
export type AnalysisStatus = Schemas["AnalysisStatus"];
export type AnalysisCreated = Schemas["AnalysisCreated"];
export type Report = Schemas["Report"];
export type EmotionCard = Schemas["EmotionCard"];
export type AspectSummary = Schemas["AspectSummary"];
export type MonthTrend = Schemas["MonthTrend"];
export type Review = Schemas["Review"];
export type ReviewAnalysis = Schemas["ReviewAnalysis"];
export type AspectMention = Schemas["AspectMention"];
export type ReviewItem = Schemas["ReviewItem"];
export type ReviewPage = Schemas["ReviewPage"];
export type Sentiment = Schemas["SentimentResult"]["label"];
export type AlertList = Schemas["AlertList"];
export type AlertItem = Schemas["AlertOut"];
export type AlertStatus = AlertItem["status"];
export type ReviewQuery = NonNullable<operations["get_reviews_api_analyses__job_id__reviews_get"]["parameters"]["query"]>;

/** The demo catalogue is an untyped list in the schema; these are the fields the UI reads. */
export interface DemoProduct {
  id: string;
  title: string;
  url: string;
  review_count?: number | null;
  category?: string | null;
  price?: number | null;
  currency?: string | null;
}

export type { Envelope, ProgressData, StageData, CompletedData, FailedData, CancelledData };

/** A WebSocket frame with its `data` narrowed by `type` (the schema names each `<type>_data`). */
type Frame = Omit<Envelope, "type" | "seq" | "data"> & { seq: number };
export type JobEvent =
  | (Frame & { type: "stage"; data: StageData })
  | (Frame & { type: "progress"; data: ProgressData })
  | (Frame & { type: "card"; data: EventCard })
  | (Frame & { type: "completed"; data: CompletedData })
  | (Frame & { type: "failed"; data: FailedData })
  | (Frame & { type: "cancelled"; data: CancelledData });

export type LiveCard = EventCard;
export const FINAL_EVENT_TYPES = new Set(["completed", "failed", "cancelled"]);
export const FINAL_STATUSES = new Set<JobStatus>(["completed", "failed", "cancelled"]);
