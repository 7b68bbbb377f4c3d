// The reviewer workbook: a reviewer's items as .xlsx (Decision Keep/Revoke, Reason) and its import back, all rows or none.
import type { WorkbookImportResult } from '../../../shared/contract-reviews.js';
import type { EngineContext } from '../context.js';
import { notBuilt } from './not-built.js';

export function exportReviewerWorkbook(_ctx: EngineContext, _campaignId: number, _reviewer: string): Promise<{ filename: string; contentBase64: string; rows: number; sha256: string }> {
  return Promise.resolve().then(() => notBuilt('the reviewer workbook'));
}
export function importReviewerWorkbook(_ctx: EngineContext, _campaignId: number, _bytes: Buffer): Promise<WorkbookImportResult> {
  return Promise.resolve().then(() => notBuilt('importing a reviewer workbook'));
}
