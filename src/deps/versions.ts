/**
 * Version ranges of hub packages as dbt writes them: a list of constraints (`[">=1.0.0",
 * "<2.0.0"]`) or one exact version, all of which must hold. The npm `semver` library does the
 * comparison (dbt's own semver module has the same ordering, pre-releases included).
 */
import semver from 'semver';

/** The constraints as one npm range ("1.0.0" and "=1.0.0" are exact). */
export function toRange(constraints: string[]): string {
  return constraints.map((c) => c.trim().replace(/^=(?!=)/, '').replace(/^==/, '')).join(' ');
}

/** Whether the constraints can hold together at all (">=2" with "<1" cannot). */
export function compatible(constraints: string[]): boolean {
  try {
    const r = new semver.Range(toRange(constraints), { includePrerelease: true });
    return semver.minVersion(r) !== null;
  } catch {
    return false;
  }
}

/**
 * The highest version in `available` that meets every constraint. Pre-releases count only when
 * asked for (`install-prerelease: true`) or when a constraint itself names one, as in dbt.
 */
export function pickVersion(available: string[], constraints: string[], installPrerelease: boolean): string | null {
  const pre = installPrerelease || constraints.some((c) => semver.prerelease(c.replace(/^[<>=~^]+/, '')) !== null);
  const installable = available.filter((v) => semver.valid(v) && (pre || semver.prerelease(v) === null));
  return semver.maxSatisfying(installable, toRange(constraints), { includePrerelease: pre });
}

export function isValidConstraint(c: string): boolean {
  return semver.validRange(toRange([c])) !== null;
}
