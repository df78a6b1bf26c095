import { checkRule, type CheckScope, type Severity } from './rules.js';

/** One finding of `drctl check`: a rule broken at one field of the environment (or of an array). */
export interface Finding {
  severity: Severity;
  code: string;
  /** Path of the field the finding is about, e.g. `volumes[3].liveVolume.autoFailover`. */
  path: string;
  /** Why this matters here, naming the objects involved. */
  message: string;
  /** What to change. */
  fix: string;
  /** Section of Dell's guide (`§5.4`) or the SRM behaviour the rule comes from. */
  source: string;
  /** `static`: from the environment file; `live`: from what an endpoint reported. */
  scope: CheckScope;
}

/** A finding of rule `code`, its severity, source and fix from the catalogue. */
export function finding(code: string, path: string, message: string, scope: CheckScope = 'static'): Finding {
  const rule = checkRule(code);
  return { severity: rule.severity, code, path, message, fix: rule.fix, source: rule.source, scope };
}

/** How many findings of each severity. */
export interface FindingCounts {
  error: number;
  warning: number;
  info: number;
  total: number;
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts: FindingCounts = { error: 0, warning: 0, info: 0, total: findings.length };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then advice; within a severity, in rule and path order. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || a.code.localeCompare(b.code) || a.path.localeCompare(b.path),
  );
}
