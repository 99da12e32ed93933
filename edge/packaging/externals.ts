/**
 * Copies packages that stay outside the bundle (native addons, loaded from their own folder)
 * into the bundle's node_modules with their runtime dependencies, resolved the way Node does
 * (nearest node_modules upwards). Prebuilds are trimmed to the platforms the bundle targets.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";

/** The folder of package `name` as seen from `fromDir`, walking up node_modules folders. */
function packageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package ${name} not found from ${fromDir}`);
  }
}

export interface CopiedPackage {
  name: string;
  version: string;
}

/**
 * Copies `names` and their `dependencies` (not devDependencies) into `outModules`, flat.
 * `keepPrebuilds`: the prebuilds/<platform-arch> folders to keep (others are removed).
 */
export function copyExternals(
  names: string[],
  fromDir: string,
  outModules: string,
  keepPrebuilds: string[],
): CopiedPackage[] {
  const done = new Map<string, string>();
  const visit = (name: string, from: string): void => {
    if (done.has(name)) return;
    const src = packageDir(name, from);
    const pkg = JSON.parse(readFileSync(join(src, "package.json"), "utf8")) as {
      version: string;
      dependencies?: Record<string, string>;
    };
    done.set(name, pkg.version);
    const dest = join(outModules, name);
    cpSync(src, dest, {
      recursive: true,
      dereference: true,
      // Nested node_modules are copied flat by the dependency walk instead.
      filter: (p) => !p.slice(src.length).includes("/node_modules"),
    });
    const prebuilds = join(dest, "prebuilds");
    if (existsSync(prebuilds)) {
      for (const dir of readdirSync(prebuilds))
        if (!keepPrebuilds.includes(dir)) rmSync(join(prebuilds, dir), { recursive: true, force: true });
    }
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, src);
  };
  for (const name of names) visit(name, fromDir);
  return [...done].map(([name, version]) => ({ name, version }));
}
