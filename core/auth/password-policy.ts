/**
 * What a new password must be: long enough, not the user name, not a common or guessable password (zxcvbn's
 * dictionaries and pattern matching, @zxcvbn-ts, shipped as data — no list of our own), and optionally a mix of
 * character classes. Every problem comes back in Chinese, for the form and the API.
 */
import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

export interface PasswordPolicy {
  minLength: number;
  minScore: number;
  requireClasses: number;
}

export const DEFAULT_POLICY: PasswordPolicy = { minLength: 12, minScore: 3, requireClasses: 0 };

// The dictionaries are a few MB: loaded at the first password check (~0.2 s), not at every start. Synchronously, so
// that the configuration's validation can check the seed passwords too (core/config/core.ts).
const require = createRequire(import.meta.url);
let checker: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  if (!checker) {
    const core = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    checker = new core.ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
  }
  return checker;
}

const WARNING_ZH: Record<string, string> = {
  topTen: '这是最常用的密码之一',
  topHundred: '这是最常用的密码之一',
  common: '这是常用密码',
  similarToCommon: '与常用密码相近',
  wordByItself: '单个词语很容易被猜到',
  namesByThemselves: '单独的姓名很容易被猜到',
  commonNames: '常见姓名很容易被猜到',
  userInputs: '不应包含用户名等个人信息',
  straightRow: '键盘上连续的按键很容易被猜到',
  keyPattern: '键盘上的固定模式很容易被猜到',
  simpleRepeat: '重复的字符很容易被猜到',
  extendedRepeat: '重复的字符组很容易被猜到',
  sequences: '顺序的字符（如 abc、123）很容易被猜到',
  recentYears: '年份很容易被猜到',
  dates: '日期很容易被猜到',
};

/** The problems of a password for this user; empty when it is acceptable. */
export async function passwordProblems(password: string, username: string, p: PasswordPolicy = DEFAULT_POLICY): Promise<string[]> {
  return passwordProblemsSync(password, username, p);
}

/** The same, synchronously (the configuration's validation). */
export function passwordProblemsSync(password: string, username: string, p: PasswordPolicy = DEFAULT_POLICY): string[] {
  const out: string[] = [];
  if ([...password].length < p.minLength) out.push(`密码至少 ${p.minLength} 个字符`);
  if (!password.trim()) out.push('密码不能只由空白组成');
  const lower = password.toLowerCase();
  // The name itself, or (a name long enough to mean something: 4 characters and more) inside the password.
  const name = username.toLowerCase();
  if (name && (lower === name || (name.length >= 4 && lower.includes(name)))) out.push('密码不能是或包含用户名');
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < p.requireClasses) out.push(`密码须混用至少 ${p.requireClasses} 类字符（小写字母、大写字母、数字、其他符号）`);
  if (p.minScore > 0 && out.length === 0) {
    const r = zxcvbn().check(password, [username]);
    if (r.score < p.minScore) {
      const why = r.feedback.warning ? WARNING_ZH[r.feedback.warning] ?? r.feedback.warning : '太容易被猜到';
      out.push(`密码强度不足（${why}）：请用更长、不常见的词组合，例如几个不相关的词加数字和符号`);
    }
  }
  return out;
}

/** Thrown by account functions when a password breaks the policy; `problems` in Chinese. */
export class WeakPasswordError extends Error {
  constructor(readonly problems: string[]) {
    super(`password refused: ${problems.join('；')}`);
    this.name = 'WeakPasswordError';
  }
}
