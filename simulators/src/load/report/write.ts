/** Writes report.json, report.html and report.md into `dir`. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderHtml } from "./html";
import { renderMarkdown } from "./markdown";
import type { LoadReport } from "./types";

export function writeReport(r: LoadReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, "report.json"), join(dir, "report.html"), join(dir, "report.md")];
  writeFileSync(files[0]!, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(files[1]!, renderHtml(r));
  writeFileSync(files[2]!, renderMarkdown(r));
  return files;
}
