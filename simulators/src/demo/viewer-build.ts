/** Builds the twin viewer when its dist/ is missing or older than its sources. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function viewerNeedsBuild(repo: string): boolean {
  const viewer = join(repo, "twin-viewer");
  const built = join(viewer, "dist", "index.html");
  if (!existsSync(built)) return true;
  const sources = [join(viewer, "src"), join(viewer, "index.html"), join(repo, "model", "src")];
  const newestSource = Math.max(
    ...sources
      .filter(existsSync)
      .map((p) => (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)),
  );
  return newestSource > statSync(built).mtimeMs;
}

export function buildViewer(repo: string): void {
  execFileSync("npm", ["run", "build", "-w", "twin-viewer"], {
    cwd: repo,
    stdio: ["ignore", "inherit", "inherit"],
  });
}
