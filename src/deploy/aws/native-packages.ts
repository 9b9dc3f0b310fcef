/**
 * Packages a bundle cannot hold (native code: sharp and its libvips), copied with what they depend
 * on from the local node_modules into the asset's own, for Lambda's platform: Linux, x64, glibc.
 * Nothing is installed: a binary for that platform that is not on this machine is an error that
 * names the command to fetch it.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Lambda's platform, as npm's `os`, `cpu` and `libc` fields name it (the functions run on x86_64). */
export const LAMBDA_PLATFORM = { os: 'linux', cpu: 'x64', libc: 'glibc' } as const;

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

/** Copies each package and its dependencies, found from `from` up, into the folder `to`. */
export function copyPackages(names: readonly string[], options: { from: string; to: string }): void {
  const copied = new Set<string>();
  const visit = (name: string, from: string, optional: boolean) => {
    if (copied.has(name)) return;
    const dir = packageDir(name, from);
    if (!dir) {
      if (optional) return;
      throw new Error(`the package ${name} is not installed (looked in the node_modules above ${from}): npm install ${name}`);
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    if (!runsOnLambda(manifest)) return;
    copied.add(name);
    cpSync(dir, join(options.to, name), { recursive: true, dereference: true });
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir, false);
    const optionals = Object.keys(manifest.optionalDependencies ?? {});
    for (const dependency of optionals) visit(dependency, dir, true);
    checkPlatformBinary(manifest, optionals, dir);
  };
  for (const name of names) visit(name, options.from, false);
}

/**
 * A package that ships its binary as optional per-platform packages (sharp's `@img/sharp-linux-x64`)
 * needs Lambda's among them installed here.
 */
function checkPlatformBinary(manifest: Manifest, optionals: string[], dir: string): void {
  const platformNamed = optionals.filter((name) => /(^|[-/])(linux|darwin|win32|freebsd)-/.test(name));
  if (platformNamed.length === 0) return;
  const lambdas = platformNamed.filter((name) => new RegExp(`[-/]${LAMBDA_PLATFORM.os}-${LAMBDA_PLATFORM.cpu}$`).test(name));
  if (lambdas.length === 0 || lambdas.some((name) => packageDir(name, dir))) return;
  throw new Error(
    `${manifest.name}'s binary for Lambda (${lambdas.join(', ')}) is not installed here: ` +
      `npm install --os=${LAMBDA_PLATFORM.os} --cpu=${LAMBDA_PLATFORM.cpu} --libc=${LAMBDA_PLATFORM.libc} ${manifest.name}`,
  );
}

function runsOnLambda(manifest: Manifest): boolean {
  const allows = (list: string[] | undefined, value: string) => !list || list.includes(value) || (list.some((v) => v.startsWith('!')) && !list.includes(`!${value}`));
  return allows(manifest.os, LAMBDA_PLATFORM.os) && allows(manifest.cpu, LAMBDA_PLATFORM.cpu) && allows(manifest.libc, LAMBDA_PLATFORM.libc);
}

/** The folder of `node_modules/<name>` nearest above `from`, as Node would find it. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
