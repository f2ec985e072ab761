/**
 * @taxonomist/report: the HTML report of a run directory (what `taxonomist run` and `taxonomist report` write).
 * renderReport reads the artifacts and writes report.html; collectReportData and renderReportHtml are its two
 * halves (artifacts -> data, data -> HTML) for callers that keep the page in memory or bring their own data.
 */
export { renderReport, type RenderReportOptions } from './render.js';
export { collectReportData, historyOf, DistillEvalSchema, GoldEvalSchema, type CollectOptions } from './collect.js';
export { renderReportHtml, topConfusions, CONFUSION_MATRIX_MAX_LABELS } from './html.js';
export {
  ReportDataSchema,
  ReportQualitySchema,
  ReportGoldSchema,
  type ReportData,
  type ReportDataInput,
  type ReportEdit,
  type ReportRound,
} from './data.js';
export { ARTIFACTS } from './artifacts.js';
export type { MapProjection } from './projection.js';
export { reportVersion } from './version.js';
