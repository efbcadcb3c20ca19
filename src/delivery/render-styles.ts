import type { Language } from '../i18n';

/**
 * Inline styles for the HTML mails. Mail clients drop <style> blocks and external CSS unevenly (Gmail
 * strips many, Outlook ignores most), so every element carries its own `style` attribute; keeping the
 * strings here keeps the templates readable and the palette in one place. The colours are the site's
 * (public/css/site.css): ink 15.5:1 and muted grey 7.7:1 on white (7.1:1 on the wash); the accent, used
 * for links and the button, 6.7:1 on white (6.1:1 on the wash), all above WCAG AA's 4.5:1.
 */
const ink = '#1d2433';
const muted = '#4a5366';
/** The site's own accent, for events without an organiser profile's accent. */
const siteAccent = '#0b5cad';
const wash = '#f3f5f9';
const line = '#c9cfdb';

/**
 * Japanese text first picks a Japanese face, so its Latin letters match the kana; English text first
 * picks a Latin face and falls back to a Japanese one for names and titles in Japanese. Family names
 * are unquoted (valid CSS) so the attribute needs no entity-escaped quotes.
 */
const fonts: Record<Language, string> = {
  en: 'font-family:system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,Hiragino Sans,Yu Gothic,Meiryo,Noto Sans CJK JP,sans-serif;',
  ja: 'font-family:Hiragino Sans,Hiragino Kaku Gothic ProN,Yu Gothic,Meiryo,Noto Sans CJK JP,Noto Sans JP,system-ui,-apple-system,Segoe UI,sans-serif;',
};

/**
 * The style attribute values one language section uses. `accent` is the organiser's colour (checked for
 * 4.5:1 against white when it was saved, so links and the white button text keep AA), else the site's.
 */
export function mailStyles(lang: Language, accent: string = siteAccent) {
  const font = fonts[lang];
  const text = `${font}color:${ink};`;
  return {
    body: `margin:0;padding:0;width:100%;background:${wash};${font}`,
    outer: `width:100%;background:${wash};`,
    outerCell: 'padding:24px 12px;',
    container: `width:100%;max-width:600px;background:#ffffff;border:1px solid ${line};border-radius:8px;border-collapse:separate;`,
    band: `height:6px;line-height:6px;font-size:6px;background:${accent};border-radius:8px 8px 0 0;`,
    section: 'padding:28px 24px 8px;',
    sectionDivided: `padding:28px 24px 8px;border-top:3px double ${line};`,
    note: `${font}margin:0;padding:12px 24px 0;font-size:14px;line-height:1.6;color:${muted};`,
    langHeading: `${font}margin:0 0 16px;font-size:13px;line-height:1.4;font-weight:bold;letter-spacing:0.06em;color:${muted};text-transform:uppercase;`,
    // 20px in Japanese keeps a 14-character heading ("お申し込みありがとうございます") on one line at 375px.
    h1: `${text}margin:0 0 16px;font-size:${lang === 'ja' ? 20 : 22}px;line-height:1.4;font-weight:bold;`,
    h2: `${text}margin:28px 0 10px;font-size:17px;line-height:1.4;font-weight:bold;`,
    p: `${text}margin:0 0 14px;font-size:16px;line-height:1.7;`,
    small: `${font}margin:0 0 10px;font-size:14px;line-height:1.6;color:${muted};`,
    link: `color:${accent};text-decoration:underline;`,
    url: `color:${accent};text-decoration:underline;word-break:break-all;overflow-wrap:anywhere;`,
    box: `width:100%;background:${wash};border-radius:6px;border-collapse:separate;`,
    boxCell: 'padding:16px 18px 4px;',
    boxTitle: `${text}margin:0 0 12px;font-size:17px;line-height:1.5;font-weight:bold;`,
    label: `${font}margin:0;font-size:13px;line-height:1.5;color:${muted};`,
    value: `${text}margin:0 0 12px;font-size:15px;line-height:1.6;overflow-wrap:anywhere;`,
    buttonWrap: 'margin:4px 0 16px;border-collapse:separate;',
    buttonColor: accent,
    buttonCell: `border-radius:6px;background:${accent};`,
    button: `${font}display:inline-block;padding:14px 28px;font-size:17px;line-height:1.3;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;`,
    code: `font-family:ui-monospace,Menlo,Consolas,monospace;font-size:16px;background:#ffffff;border:1px solid ${line};border-radius:4px;padding:2px 8px;color:${ink};`,
    list: `${text}margin:0 0 14px;padding:0 0 0 22px;font-size:16px;line-height:1.7;`,
    previously: `${font}display:block;font-size:14px;line-height:1.6;color:${muted};`,
    footer: `padding:8px 24px 24px;`,
    footerText: `${font}margin:0 0 8px;font-size:13px;line-height:1.6;color:${muted};`,
    rule: `border:0;border-top:1px solid ${line};margin:24px 0 16px;`,
    // Visible, in the muted grey (7.1:1 on the wash): a hidden preview is what spam filters score.
    // The organiser profile above the first section: the logo (shown 40px high) or else the name.
    brandCell: 'padding:20px 24px 0;',
    logo: 'display:block;border:0;outline:none;text-decoration:none;height:auto;',
    organisation: `${text}margin:0;font-size:15px;line-height:1.5;font-weight:bold;`,
    preheader: `${font}margin:0 auto 12px;max-width:600px;font-size:13px;line-height:1.5;color:${muted};text-align:left;`,
  };
}

/** The styles of one section, as the templates receive them. */
export type MailStyles = ReturnType<typeof mailStyles>;
