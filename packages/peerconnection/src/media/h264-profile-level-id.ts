/**
 * H.264 `profile-level-id` (RFC 6184 §8.1): three bytes, profile_idc, profile-iop (the
 * constraint_set flags) and level_idc. Two offers can name the same profile with different
 * bytes (`42e01f` and `42c01f` are both Constrained Baseline) and different profiles with the
 * same profile_idc (`42e01f` Constrained Baseline, `42001f` Baseline), so codecs are matched on
 * the profile these bytes mean, as libwebrtc's `h264_profile_level_id` does.
 */

export type H264Profile =
  | 'constrained-baseline'
  | 'baseline'
  | 'main'
  | 'constrained-high'
  | 'high'
  | 'predictive-high-444';

/**
 * A level as level_idc × 1 (10 is 1.0, 31 is 3.1), except level 1b, which H.264 Annex A
 * places between 1.0 and 1.1 and which is written two ways (see `parse`).
 */
export type H264Level = number | '1b';

export interface H264ProfileLevelId {
  profile: H264Profile;
  level: H264Level;
}

/**
 * Which profile a profile_idc and profile-iop pair is: RFC 6184 §8.1, Table 5, with the
 * constraint_set flags of H.264 §7.4.2.1.1 (constraint_set1 on Baseline means the stream also
 * obeys Main, i.e. Constrained Baseline; constraint_set0 on Extended means it obeys Baseline).
 * The patterns are libwebrtc's: eight characters for the eight flags, most significant first,
 * `x` for "either". First match wins; other pairs are profiles WebRTC does not negotiate.
 */
const PROFILE_PATTERNS: readonly [number, string, H264Profile][] = [
  [0x42, 'x1xx0000', 'constrained-baseline'],
  [0x4d, '1xxx0000', 'constrained-baseline'],
  [0x58, '11xx0000', 'constrained-baseline'],
  [0x42, 'x0xx0000', 'baseline'],
  [0x58, '10xx0000', 'baseline'],
  [0x4d, '0x0x0000', 'main'],
  [0x64, '00000000', 'high'],
  [0x64, '00001100', 'constrained-high'],
  [0xf4, '00000000', 'predictive-high-444'],
];

function matchesPattern(iop: number, pattern: string): boolean {
  for (let bit = 0; bit < 8; bit++) {
    const want = pattern[bit];
    const have = (iop >> (7 - bit)) & 1;
    if (want === '1' && have !== 1) return false;
    if (want === '0' && have !== 0) return false;
  }
  return true;
}

/** constraint_set3_flag: with level_idc 11 on Baseline, Main or Extended, it means level 1b. */
const CONSTRAINT_SET3 = 0x10;

/** Profiles whose level 1b is level_idc 11 with constraint_set3 (H.264 §A.3.1, §A.3.2). */
const SET3_LEVEL_1B_PROFILES: ReadonlySet<number> = new Set([0x42, 0x4d, 0x58]);

/**
 * Parses a `profile-level-id` value (six hex digits). Undefined when malformed, when the
 * profile is not one of Table 5's, or when level_idc is not an H.264 Annex A level.
 *
 * With no `profile-level-id` at all, RFC 6184 §8.1 infers Baseline level 1.0; libwebrtc instead
 * infers Constrained Baseline 3.1 (a Baseline decoder decodes Constrained Baseline, and the
 * peers that omit it send that), and so do we for an undefined `text`.
 */
export function parseH264ProfileLevelId(text: string | undefined): H264ProfileLevelId | undefined {
  if (text === undefined) return { profile: 'constrained-baseline', level: 31 };
  if (!/^[0-9a-fA-F]{6}$/.test(text)) return undefined;
  const value = Number.parseInt(text, 16);
  const profileIdc = value >> 16;
  const iop = (value >> 8) & 0xff;
  const levelIdc = value & 0xff;
  const level = levelFromIdc(profileIdc, iop, levelIdc);
  if (level === undefined) return undefined;
  for (const [idc, pattern, profile] of PROFILE_PATTERNS) {
    if (idc === profileIdc && matchesPattern(iop, pattern)) return { profile, level };
  }
  return undefined;
}

/** The level_idc values of H.264 Table A-1, for 1.0 to 5.2. */
const LEVEL_IDCS: ReadonlySet<number> = new Set([
  9, 10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52,
]);

function levelFromIdc(profileIdc: number, iop: number, levelIdc: number): H264Level | undefined {
  if (!LEVEL_IDCS.has(levelIdc)) return undefined;
  // H.264 §A.3.1/§A.3.2: level 1b is level_idc 11 plus constraint_set3 on the Baseline, Main
  // and Extended profiles, and level_idc 9 on the High profiles (§A.3.3).
  if (levelIdc === 9) return '1b';
  if (levelIdc === 11 && SET3_LEVEL_1B_PROFILES.has(profileIdc) && (iop & CONSTRAINT_SET3) !== 0) {
    return '1b';
  }
  return levelIdc;
}

/** Levels in H.264 Annex A order, 1b between 1.0 and 1.1. */
function levelRank(level: H264Level): number {
  return level === '1b' ? 10.5 : level;
}

export function minH264Level(a: H264Level, b: H264Level): H264Level {
  return levelRank(a) <= levelRank(b) ? a : b;
}

/**
 * `text` (a valid `profile-level-id`) with its level replaced, its profile bytes kept: the
 * answerer's own profile-level-id at the level RFC 6184 §8.2.2 settles on. Undefined when the
 * level cannot be written for this profile (1b on a profile with neither spelling).
 */
export function withH264Level(text: string, level: H264Level): string | undefined {
  const value = Number.parseInt(text, 16);
  const profileIdc = value >> 16;
  let iop = (value >> 8) & 0xff;
  let levelIdc: number;
  if (level === '1b') {
    if (SET3_LEVEL_1B_PROFILES.has(profileIdc)) {
      iop |= CONSTRAINT_SET3;
      levelIdc = 11;
    } else if (profileIdc === 0x64 || profileIdc === 0xf4) {
      levelIdc = 9;
    } else {
      return undefined;
    }
  } else {
    // Level 1.1 must not keep a constraint_set3 that would turn it into 1b.
    if (level === 11 && SET3_LEVEL_1B_PROFILES.has(profileIdc)) iop &= ~CONSTRAINT_SET3;
    levelIdc = level;
  }
  return [profileIdc, iop, levelIdc].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
