/**
 * Names for the generated Binhu district: real street and river names of Hefei's Binhu new
 * area (包河区), reused as needed; owners are the real operators' names with fictitious
 * contacts (names and 0551 numbers are generated, not real people).
 */
import type { Domain } from "@citytwin/model";

export interface StreetName {
  zh: string;
  en: string;
}

/** North–south streets, west to east. */
export const NS_STREET_NAMES: readonly StreetName[] = [
  { zh: "徽州大道", en: "Huizhou Avenue" },
  { zh: "广西路", en: "Guangxi Road" },
  { zh: "洞庭湖路", en: "Dongtinghu Road" },
  { zh: "西藏路", en: "Xizang Road" },
  { zh: "庐州大道", en: "Luzhou Avenue" },
  { zh: "云谷路", en: "Yungu Road" },
  { zh: "南京路", en: "Nanjing Road" },
  { zh: "杭州路", en: "Hangzhou Road" },
  { zh: "包河大道", en: "Baohe Avenue" },
  { zh: "南宁路", en: "Nanning Road" },
  { zh: "福州路", en: "Fuzhou Road" },
  { zh: "贵阳路", en: "Guiyang Road" },
  { zh: "中山路", en: "Zhongshan Road" },
];

/** East–west streets, south to north. */
export const EW_STREET_NAMES: readonly StreetName[] = [
  { zh: "锦绣大道", en: "Jinxiu Avenue" },
  { zh: "嘉陵江路", en: "Jialingjiang Road" },
  { zh: "紫云路", en: "Ziyun Road" },
  { zh: "玄武湖路", en: "Xuanwuhu Road" },
  { zh: "方兴大道", en: "Fangxing Avenue" },
  { zh: "武汉路", en: "Wuhan Road" },
  { zh: "兰州路", en: "Lanzhou Road" },
  { zh: "成都路", en: "Chengdu Road" },
  { zh: "巢湖路", en: "Chaohu Road" },
  { zh: "天津路", en: "Tianjin Road" },
  { zh: "黄河路", en: "Huanghe Road" },
];

export const RIVER_NAME: StreetName = { zh: "塘西河", en: "Tangxi River" };

/** Street sub-districts/communities (街道/社区) by quadrant: [south-west, south-east, north-west, north-east]. */
export const COMMUNITIES = ["徽园社区", "云谷社区", "滨湖世纪社区", "方兴社区"] as const;

export const OWNER_ORGS: Readonly<Record<Domain, string>> = {
  gas: "合肥燃气集团",
  water: "合肥供水集团",
  drainage: "合肥排水公司",
  bridge: "合肥市市政设施管理处",
  pole: "包河区城管局",
  environment: "包河区城管局",
};

export const PERSON_NAMES = [
  "张伟",
  "王芳",
  "李娜",
  "刘洋",
  "陈静",
  "杨磊",
  "赵敏",
  "黄强",
  "周婷",
  "吴军",
  "徐丽",
  "孙浩",
  "胡杰",
  "朱琳",
  "高峰",
  "林涛",
] as const;

/**
 * English for the Chinese proper names the model uses in hierarchy and owner fields (the
 * city model's `glossary`, zh → en), so an English screen shows no Chinese text. Person names
 * in Hanyu Pinyin, family name first.
 */
export const GLOSSARY_EN: Readonly<Record<string, string>> = {
  合肥市: "Hefei",
  包河区: "Baohe District",
  徽园社区: "Huiyuan Community",
  云谷社区: "Yungu Community",
  滨湖世纪社区: "Binhu Century Community",
  方兴社区: "Fangxing Community",
  合肥燃气集团: "Hefei Gas Group",
  合肥供水集团: "Hefei Water Supply Group",
  合肥排水公司: "Hefei Drainage Company",
  合肥市市政设施管理处: "Hefei Municipal Facilities Administration",
  包河区城管局: "Baohe District Urban Management Bureau",
  张伟: "Zhang Wei",
  王芳: "Wang Fang",
  李娜: "Li Na",
  刘洋: "Liu Yang",
  陈静: "Chen Jing",
  杨磊: "Yang Lei",
  赵敏: "Zhao Min",
  黄强: "Huang Qiang",
  周婷: "Zhou Ting",
  吴军: "Wu Jun",
  徐丽: "Xu Li",
  孙浩: "Sun Hao",
  胡杰: "Hu Jie",
  朱琳: "Zhu Lin",
  高峰: "Gao Feng",
  林涛: "Lin Tao",
};

/** `name` cycled with a numeric suffix once the list runs out (bigger scales). */
export function nthName(list: readonly StreetName[], i: number): StreetName {
  const base = list[i % list.length] ?? { zh: "路", en: "Road" };
  const round = Math.floor(i / list.length);
  return round === 0 ? base : { zh: `${base.zh}${round + 1}段`, en: `${base.en} ${round + 1}` };
}
