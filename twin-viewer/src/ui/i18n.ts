/**
 * UI strings, Chinese by default with an English toggle. The core strings live here; each feature
 * module keeps its own table through `defineStrings` (one translator per module, both languages
 * required by the type). `onLangChange` listeners re-render after `setLang`.
 */
export type Lang = "zh" | "en";

const STRINGS = {
  title: { zh: "城市生命线安全监测 · 数字孪生", en: "City Lifeline Safety · Digital Twin" },
  underground: { zh: "地下管网", en: "Underground" },
  lang: { zh: "EN", en: "中文" },
  live: { zh: "实时", en: "LIVE" },
  connecting: { zh: "连接中", en: "Connecting" },
  reconnecting: { zh: "重连中", en: "Reconnecting" },
  sensors: { zh: "传感器", en: "Sensors" },
  perSecond: { zh: "读数/秒", en: "Readings/s" },
  lastUpdate: { zh: "最后更新", en: "Last update" },
  loading: { zh: "正在加载城市模型…", en: "Loading city model…" },
  loadFailed: { zh: "城市模型加载失败", en: "Failed to load the city model" },
  value: { zh: "当前值", en: "Value" },
  quality: { zh: "数据质量", en: "Quality" },
  level: { zh: "预警等级", en: "Level" },
  time: { zh: "时间", en: "Time" },
  asset: { zh: "资产", en: "Asset" },
  owner: { zh: "责任单位", en: "Owner" },
  location: { zh: "位置", en: "Location" },
  sensorId: { zh: "编号", en: "Sensor id" },
  depth: { zh: "高程", en: "Height" },
  noData: { zh: "无数据", en: "No data" },
  offline: { zh: "离线", en: "Offline" },
  close: { zh: "关闭", en: "Close" },
  good: { zh: "正常", en: "Good" },
  uncertain: { zh: "可疑", en: "Uncertain" },
  bad: { zh: "无效", en: "Bad" },
  stale: { zh: "过期", en: "Stale" },
  demoMode: { zh: "演示模式 · 无认证", en: "DEMO MODE · no authentication" },
  denied: { zh: "未授权", en: "Not authorised" },
  authTitle: { zh: "需要访问令牌", en: "Access token required" },
  authMissing: {
    zh: "未提供访问令牌。请打开启动时打印的链接，或在下方输入令牌。",
    en: "No access token. Open the link printed at start-up, or enter a token below.",
  },
  authInvalid: {
    zh: "访问令牌无效或已过期，请输入新的令牌。",
    en: "The access token is invalid or has expired. Enter a new one.",
  },
  authForbidden: {
    zh: "该令牌的角色权限不足（至少需要“查看”角色）。",
    en: "This token's role is not sufficient (the viewer role or better is needed).",
  },
  tokenLabel: { zh: "访问令牌", en: "Access token" },
  signIn: { zh: "登录", en: "Sign in" },
} as const;

export type StringKey = keyof typeof STRINGS;

/** Current language; `setLang` is called by the toggle, views re-render themselves. */
let current: Lang = "zh";

export function lang(): Lang {
  return current;
}

const listeners: ((next: Lang) => void)[] = [];

export function setLang(next: Lang): void {
  current = next;
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
  for (const l of listeners) l(next);
}

/** Called after every language change (views re-render themselves). */
export function onLangChange(listener: (next: Lang) => void): void {
  listeners.push(listener);
}

export type Bilingual = { readonly zh: string; readonly en: string };

/** A feature's own string table; returns its translator. */
export function defineStrings<T extends Record<string, Bilingual>>(table: T): (key: keyof T) => string {
  return (key) => table[key]![current];
}

/** Picks the current language's side of a { zh, en } pair (model labels, explanations). */
export function pick(text: Bilingual): string {
  return text[current];
}

export function t(key: StringKey): string {
  return STRINGS[key][current];
}

let glossary: Readonly<Record<string, string>> = {};

/** The city model's zh → en names for hierarchy and owner fields (CityModel.glossary). */
export function setGlossary(g: Readonly<Record<string, string>> | undefined): void {
  glossary = g ?? {};
}

/** A proper name from the model (district, community, organisation, person) in the current language. */
export function localName(zh: string): string {
  return current === "en" ? (glossary[zh] ?? zh) : zh;
}
