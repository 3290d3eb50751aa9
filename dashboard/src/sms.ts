/** GSM 03.38 basic character set (one septet each) and its extension table (two septets each: ESC + char). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export interface SegmentInfo {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units one segment holds at this length (a single one, or one part of a concatenated message). */
  perSegment: number;
  /** The first characters that force UCS-2, for the hint. */
  nonGsm: string[];
}

/**
 * How a text is sent over SMS: GSM-7 when every character is in the GSM alphabet (160 per message,
 * 153 per part once split), UCS-2 otherwise (70, then 67 per part). Liquid tags count as written;
 * the rendered code and names change the count.
 */
export function segmentInfo(text: string): SegmentInfo {
  let septets = 0;
  const nonGsm: string[] = [];
  for (const ch of text) {
    if (basic.has(ch)) septets += 1;
    else if (extension.has(ch)) septets += 2;
    else if (nonGsm.length < 5 && !nonGsm.includes(ch)) nonGsm.push(ch);
    else if (nonGsm.length >= 5) continue;
  }
  if (nonGsm.length === 0) {
    const perSegment = septets <= 160 ? 160 : 153;
    return { encoding: 'GSM-7', units: septets, segments: septets === 0 ? 0 : Math.ceil(septets / perSegment), perSegment, nonGsm };
  }
  const units = text.length; // UTF-16 code units: characters outside the BMP take two
  const perSegment = units <= 70 ? 70 : 67;
  return { encoding: 'UCS-2', units, segments: Math.ceil(units / perSegment), perSegment, nonGsm };
}
