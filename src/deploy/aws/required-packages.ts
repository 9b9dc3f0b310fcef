/**
 * Deploying needs the AWS CDK and esbuild, which most users of the package never need: they are
 * optional peer dependencies, and a command that needs one that is missing says which to install
 * (before it loads anything that would fail on them).
 */

/** What synthesizing a template needs. */
export const SYNTH_PACKAGES = ['aws-cdk-lib', 'constructs', 'esbuild'] as const;
/** What deploying and destroying also need. */
export const TOOLKIT_PACKAGES = [...SYNTH_PACKAGES, '@aws-cdk/toolkit-lib'] as const;

/** Throws, naming the install command, when any of the packages cannot be found from here. */
export function requirePackages(packages: readonly string[], command: string): void {
  const missing = packages.filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  throw new Error(`${command} needs ${missing.join(', ')}, not installed: npm install --save-dev ${missing.join(' ')}`);
}
